using System.Text.Json;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;

namespace KccRights.Workflows.Tests.Definitions;

/// <summary>
/// notBySameActorAs in both forms (issue 13 Build 5): one name as before, or a list (the response's sign-off names the
/// preparer's and the checker's tasks); read into one list, written back in the form it came in, stored comma-joined.
/// </summary>
public class FourEyesListFormTests
{
    private const string Task = """{"type":"dpo-sign-off","role":"dpo","title":"Sign off","outcomes":["approved"],"notBySameActorAs":NAMES}""";

    [TestCase("\"draft-response\"", new[] { "draft-response" })]
    [TestCase("[\"draft-response\",\"redaction-check\"]", new[] { "draft-response", "redaction-check" })]
    [TestCase("null", null)]
    public void NotBySameActorAs_ReadsOneNameOrAList_AndWritesItBackTheSameWay(string names, string[]? expected)
    {
        var task = JsonSerializer.Deserialize<HumanTaskDefinition>(Task.Replace("NAMES", names, StringComparison.Ordinal), WorkflowJson.Options)!;
        Assert.That(task.NotBySameActorAs, Is.EqualTo(expected));
        if (expected is not null)
        {
            var written = JsonSerializer.SerializeToElement(task, WorkflowJson.Options).GetProperty("notBySameActorAs").GetRawText();
            Assert.That(System.Text.RegularExpressions.Regex.Replace(written, @"\s", ""), Is.EqualTo(names), "indentation aside");
        }
    }

    [Test]
    public void NotBySameActorAs_OfAnotherShape_IsRefused()
    {
        Assert.That(() => JsonSerializer.Deserialize<HumanTaskDefinition>(Task.Replace("NAMES", "[\"draft-response\", 3]", StringComparison.Ordinal), WorkflowJson.Options), Throws.InstanceOf<JsonException>());
        Assert.That(() => JsonSerializer.Deserialize<HumanTaskDefinition>(Task.Replace("NAMES", "{}", StringComparison.Ordinal), WorkflowJson.Options), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Column_JoinsTheNames_OrIsNullWhenThereAreNone()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FourEyes.Column(["draft-response"]), Is.EqualTo("draft-response"));
            Assert.That(FourEyes.Column(["draft-response", "redaction-check"]), Is.EqualTo("draft-response,redaction-check"));
            Assert.That(FourEyes.Column([]), Is.Null);
            Assert.That(FourEyes.Column(null), Is.Null);
        });
    }

    [Test]
    public void ShippedAccessDefinition_KeepsThePreparerAndTheCheckerFromApprovingTheResponse()
    {
        var set = DefinitionLoader.LoadDirectory(Support.Paths.Workflows, Support.WorkflowHarness.Catalog());
        Assert.That(set.Errors, Is.Empty, string.Join(Environment.NewLine, set.Errors));
        var access = set.Find("access")!.Definition;
        var signOff = access.States.Single(s => s.Id == "dpo-sign-off").Task!;
        Assert.That(signOff.NotBySameActorAs, Is.EqualTo(new[] { "draft-response", "redaction-check" }));
        Assert.That(signOff.Outcomes, Is.EquivalentTo(new[] { "approved", "return-to-draft", "return-to-review" }));
        var extension = access.States.Single(s => s.Id == "extension-sign-off").Task!;
        Assert.That(extension.NotBySameActorAs, Is.EqualTo(new[] { "extension-requested" }), "the single-string form still reads");
    }
}
