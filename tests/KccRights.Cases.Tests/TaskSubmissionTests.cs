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
