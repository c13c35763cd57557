using KccRights.Workflows.Definitions;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Definitions;

/// <summary>Issue 14 item 3: every stage, outcome and event of the shipped definitions reads in words, never as its slug.</summary>
public class WorkflowLabelsTests
{
    private static List<WorkflowDefinition> Shipped() =>
        DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog()).Definitions.Select(d => d.Definition).ToList();

    [Test]
    public void EveryStateOfEveryShippedDefinition_HasALabel()
    {
        var states = Shipped().SelectMany(d => d.States).Select(s => s.Id).Distinct();
        Assert.That(states.Where(s => !WorkflowLabels.StateIds.Contains(s)), Is.Empty, "states without a label in WorkflowLabels");
    }

    [Test]
    public void EveryTaskOutcomeOfEveryShippedDefinition_HasALabel()
    {
        var outcomes = Shipped().SelectMany(d => d.States).SelectMany(s => s.Task?.Outcomes ?? []).Distinct();
        Assert.That(outcomes.Where(o => !WorkflowLabels.OutcomeIds.Contains(o)), Is.Empty, "outcomes without a label in WorkflowLabels");
    }

    [Test]
    public void EveryEventThatMovesACase_HasALabel()
    {
        var events = Shipped().SelectMany(d => d.States.SelectMany(s => s.Transitions).Concat(d.AnyState)).Select(t => t.On).Distinct();
        Assert.That(
            events.Where(e => !WorkflowLabels.EventIds.Contains(e) && !WorkflowLabels.OutcomeIds.Contains(e)),
            Is.Empty,
            "events without a label in WorkflowLabels");
    }

    [Test]
    public void Labels_AreWordsNotSlugs()
    {
        var labels = WorkflowLabels.StateIds.Select(WorkflowLabels.State)
            .Concat(WorkflowLabels.OutcomeIds.Select(WorkflowLabels.Outcome))
            .Concat(WorkflowLabels.EventIds.Select(WorkflowLabels.Event))
            .Concat(WorkflowLabels.LogKindIds.Select(WorkflowLabels.LogKind));
        Assert.That(labels.Where(l => l.Length == 0 || char.IsLower(l[0]) || System.Text.RegularExpressions.Regex.IsMatch(l, "[a-z]-[a-z]")), Is.Empty);
    }

    [Test]
    public void AnIdWithoutALabel_ReadsAsASentence_NotAsTheSlug()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WorkflowLabels.State("awaiting-id"), Is.EqualTo("Waiting for ID"));
            Assert.That(WorkflowLabels.Outcome("ground-applies"), Is.EqualTo("A ground for erasure applies"));
            Assert.That(WorkflowLabels.LogKind("clock"), Is.EqualTo("Statutory clock changed"));
            Assert.That(WorkflowLabels.State("some-new-state"), Is.EqualTo("Some new state"));
            Assert.That(WorkflowLabels.Event("extension-requested"), Is.EqualTo("Extension requested"));
            Assert.That(WorkflowLabels.Event("scope-agreed"), Is.EqualTo("Scope agreed"), "an outcome raised as an event reads as the outcome");
        });
    }
}
