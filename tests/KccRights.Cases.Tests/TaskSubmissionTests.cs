using System.Text.Json;

namespace KccRights.Cases.Tests;

/// <summary>A task form's date fields (the identity confirmation's scope): typed as text, read day first, stored ISO.</summary>
public class TaskSubmissionTests
{
    private static readonly CaseTask Confirmation = new()
    {
        Id = 7,
        Type = "confirm-identities",
        Role = "officer",
        Title = "Confirm the subject's records and agree the scope",
        Outcomes = ["confirmed", "search-again"],
        Form = """
            [{"name":"scopeFrom","label":"Only records dated on or after (for example 2019-09-01)","type":"date"},
             {"name":"scopeTo","label":"Only records dated on or before (for example 2024-07-31)","type":"date"}]
            """,
    };

    [TestCase("2019-09-01", "2019-09-01")]
    [TestCase("1/9/2019", "2019-09-01")]
    [TestCase(" 01/09/2019 ", "2019-09-01")]
    public void ADate_IsStoredAsIso(string typed, string stored)
    {
        var (data, errors) = TaskSubmission.Build(Confirmation, new Dictionary<string, string?> { ["scopeFrom"] = typed }, "confirmed");

        Assert.That(errors, Is.Empty);
        Assert.That(data!.Value.GetProperty("scopeFrom").GetString(), Is.EqualTo(stored));
        Assert.That(data.Value.GetProperty("scopeTo").ValueKind, Is.EqualTo(JsonValueKind.Null), "an empty optional date is no date");
    }

    [TestCase("next Tuesday")]
    [TestCase("2019-13-01")]
    [TestCase("31/2/2019")]
    [TestCase("9/1/19")]
    public void ANonDate_IsRefusedWithAnExample(string typed)
    {
        var (data, errors) = TaskSubmission.Build(Confirmation, new Dictionary<string, string?> { ["scopeTo"] = typed }, "confirmed");

        Assert.That(data, Is.Null);
        Assert.That(errors, Is.EqualTo(new[] { ("task-7-scopeTo", "Enter only records dated on or before as a date, for example 2019-09-01") }));
    }
}

/// <summary>Issue 14 item 3: a required answer left out is asked for with the question as written, not lower-cased into "Enter is there ...".</summary>
public class TaskSubmissionMessageTests
{
    private static readonly CaseTask Triage = new()
    {
        Id = 3,
        Type = "triage",
        Role = "officer",
        Title = "Triage the request",
        Outcomes = ["triaged"],
        Form = """
            [{"name":"identityInDoubt","label":"Is there reasonable doubt about the requester's identity or authority? (UK GDPR Art 12(6))","type":"boolean","required":true},
             {"name":"ground","label":"Ground","type":"choice","options":["unlawful","legal-claims"],"required":true},
             {"name":"reason","label":"Why is it refused?","type":"text","required":true},
             {"name":"note","label":"Note for the record-owner","type":"text","required":true},
             {"name":"upn","label":"UPN of the pupil","type":"text","required":true}]
            """,
    };

    [Test]
    public void MissingAnswers_AreAskedForWithTheQuestionAsWritten()
    {
        var (data, errors) = TaskSubmission.Build(Triage, new Dictionary<string, string?>(), "triaged");

        Assert.That(data, Is.Null);
        Assert.That(errors, Is.EqualTo(new[]
        {
            ("task-3-identityInDoubt", "Choose yes or no: Is there reasonable doubt about the requester's identity or authority? (UK GDPR Art 12(6))"),
            ("task-3-ground", "Choose an answer: Ground"),
            ("task-3-reason", "Answer the question: Why is it refused?"),
            ("task-3-note", "Enter note for the record-owner"),
            ("task-3-upn", "Enter UPN of the pupil"),
        }));
    }
}
