using KccRights.Workflows.Definitions;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Validation;

/// <summary>One broken definition per kind of error (Validation/Fixtures/KIND/broken.json), each rejected with its file and JSON path.</summary>
public class BrokenDefinitionTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("invalid-json", "$", "not valid JSON");
        yield return new TestCaseData("schema-wrong-type", "$.states[2].terminal", "schema:");
        yield return new TestCaseData("schema-unknown-property", "$.states[0].colour", "unknown property 'colour'");
        yield return new TestCaseData("schema-missing-required", "$", "startState");
        yield return new TestCaseData("unknown-target-state", "$.states[0].transitions[0].to", "unknown target state 'nowhere'");
        yield return new TestCaseData("unreachable-state", "$.states[3]", "state 'orphan' cannot be reached");
        yield return new TestCaseData("no-terminal-state", "$.states", "no terminal state");
        yield return new TestCaseData("unknown-activity", "$.states[1].activity.kind", "unknown activity 'send-pigeon'");
        yield return new TestCaseData("unknown-task-type", "$.states[0].task.type", "unknown task type 'juggle'");
        yield return new TestCaseData("unknown-condition", "$.states[0].transitions[0].when", "unknown condition 'moon-is-full'");
        yield return new TestCaseData("duplicate-state-id", "$.states[2].id", "duplicate state id 'work'");
        yield return new TestCaseData("id-mismatch", "$.id", "differs from the file name 'broken'");
        yield return new TestCaseData("outcome-without-transition", "$.states[0].task.outcomes[1]", "outcome 'rejected' has no transition");
        yield return new TestCaseData("timer-without-offset", "$.states[1].timers[0]", "give exactly one of 'after' and 'at'");
        // Separation of duties (issue 9 item 5): a sign-off, by its task type or by its state id, names who may not complete it.
        yield return new TestCaseData("sign-off-without-four-eyes", "$.states[1].task.notBySameActorAs", "state 'approval' is a sign-off (task type 'dpo-sign-off') and must name who may not complete it");
        yield return new TestCaseData("sign-off-state-without-four-eyes", "$.states[1].task.notBySameActorAs", "state 'manager-sign-off' is a sign-off (task type 'human-review') and must name who may not complete it");
        yield return new TestCaseData("four-eyes-unknown-name", "$.states[1].task.notBySameActorAs", "'someone-else' is neither a registered task type nor an event that leads to state 'approval'");
        // The list form (issue 13 Build 5): each name is checked, and a list names at least one.
        yield return new TestCaseData("four-eyes-list-unknown-name", "$.states[1].task.notBySameActorAs[1]", "'someone-else' is neither a registered task type nor an event that leads to state 'approval'");
        yield return new TestCaseData("four-eyes-empty-list", "$.states[1].task.notBySameActorAs", "schema:");
    }

    [TestCaseSource(nameof(Cases))]
    public void BrokenDefinition_IsRejectedWithFileAndPath(string kind, string path, string message)
    {
        var directory = Path.Combine(Paths.Fixtures, kind);
        var file = Path.Combine(directory, "broken.json");
        var set = DefinitionLoader.LoadDirectory(directory, WorkflowHarness.Catalog());
        Assert.Multiple(() =>
        {
            Assert.That(set.IsValid, Is.False);
            Assert.That(set.Definitions, Is.Empty);
            Assert.That(
                set.Errors.Any(e => e.File == file && e.Path == path && e.Message.Contains(message, StringComparison.Ordinal)),
                Is.True,
                $"expected {file}: {path}: ...{message}...; got:{Environment.NewLine}{string.Join(Environment.NewLine, set.Errors)}");
        });
    }

    [Test]
    public void ValidFixtureBase_IsAccepted()
    {
        var set = DefinitionLoader.LoadDirectory(Path.Combine(Paths.Fixtures, "valid"), WorkflowHarness.Catalog());
        Assert.That(set.Errors, Is.Empty, string.Join(Environment.NewLine, set.Errors));
    }

    [Test]
    public void SameRightInTwoDefinitions_IsRejected()
    {
        var set = DefinitionLoader.LoadDirectory(Path.Combine(Paths.Fixtures, "duplicate-right"), WorkflowHarness.Catalog());
        Assert.That(set.Errors.Select(e => $"{Path.GetFileName(e.File)}: {e.Path}: {e.Message}"), Has.Some.StartsWith("second.json: $.rights[0]: right 'access' is already run by definition 'first'"));
    }

    [Test]
    public void JsonPointer_BecomesJsonPath()
    {
        Assert.That(DefinitionLoader.ToJsonPath("/states/3/transitions/0/to"), Is.EqualTo("$.states[3].transitions[0].to"));
    }
}
