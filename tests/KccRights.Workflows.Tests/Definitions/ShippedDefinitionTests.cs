using KccRights.Domain.Cases;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Definitions;

public class ShippedDefinitionTests
{
    private static readonly string[] Ids = ["access", "rectification", "erasure", "restriction", "portability", "objection", "automated-decision", "complaint"];

    [Test]
    public void EveryShippedDefinition_Validates()
    {
        var set = DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog());
        Assert.Multiple(() =>
        {
            Assert.That(set.Errors, Is.Empty, string.Join(Environment.NewLine, set.Errors));
            Assert.That(set.Definitions.Select(d => d.Definition.Id), Is.EquivalentTo(Ids));
        });
    }

    [Test]
    public void EveryRight_IsRunByExactlyOneDefinition()
    {
        var set = DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog());
        Assert.That(set.Definitions.SelectMany(d => d.Definition.Rights), Is.EquivalentTo(KccRights.Domain.Cases.Rights.All));
    }

    [TestCaseSource(nameof(Ids))]
    public void EachFile_ReferencesTheCommittedSchema(string id)
    {
        var text = File.ReadAllText(Path.Combine(Paths.RepoRoot, "workflows", id + ".json"));
        Assert.That(text, Does.Contain("\"$schema\": \"./workflow.schema.json\""));
    }

    [Test]
    public void CommittedSchema_IsTheSchemaGeneratedFromTheModel()
    {
        var committed = File.ReadAllText(Path.Combine(Paths.RepoRoot, "workflows", WorkflowSchema.FileName)).ReplaceLineEndings("\n");
        Assert.That(committed, Is.EqualTo(WorkflowSchema.Generate()), "workflows/workflow.schema.json is stale: regenerate it with 'kccrights workflows schema > workflows/workflow.schema.json'");
    }

    [Test]
    public void Version_IsTheContentHash_AndIgnoresLineEndings()
    {
        var set = DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog());
        var access = set.Find("access")!;
        Assert.Multiple(() =>
        {
            Assert.That(access.Version, Does.Match("^[0-9a-f]{64}$"));
            Assert.That(DefinitionLoader.VersionOf(access.Content.Replace("\n", "\r\n", StringComparison.Ordinal)), Is.EqualTo(access.Version));
            Assert.That(DefinitionLoader.VersionOf(access.Content + " "), Is.Not.EqualTo(access.Version));
        });
    }

    [TestCaseSource(nameof(Ids))]
    public void Diagram_IsAMermaidStateDiagramWithEveryStateAndTransition(string id)
    {
        var definition = DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog()).Find(id)!.Definition;
        var diagram = MermaidDiagram.Render(definition);
        Assert.Multiple(() =>
        {
            Assert.That(diagram, Does.Contain("stateDiagram-v2"));
            Assert.That(diagram, Does.Contain($"[*] --> {definition.StartState.Replace('-', '_')}"));
            foreach (var state in definition.States)
            {
                Assert.That(diagram, Does.Contain($"state \"{WorkflowLabels.State(state.Id).Replace(":", " -", StringComparison.Ordinal)}\" as {state.Id.Replace('-', '_')}"));
                foreach (var transition in state.Transitions)
                {
                    Assert.That(diagram, Does.Contain($"{state.Id.Replace('-', '_')} --> {transition.To.Replace('-', '_')} : {WorkflowLabels.Event(transition.On).Replace(":", " -", StringComparison.Ordinal)}"));
                }
            }
        });
    }
}
