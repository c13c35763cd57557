using System.Text;

namespace KccRights.Workflows.Definitions;

/// <summary>A definition as a Mermaid <c>stateDiagram-v2</c>, for <c>kccrights workflows diagram</c> and the web app.</summary>
public static class MermaidDiagram
{
    public static string Render(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var text = new StringBuilder();
        text.Append("---\ntitle: ").Append(Label(definition.Title)).Append("\n---\n");
        text.Append("stateDiagram-v2\n");
        foreach (var state in definition.States)
        {
            var label = WorkflowLabels.State(state.Id);
            var notes = new List<string>();
            if (state.Task is { } task)
            {
                notes.Add($"task {task.Title} ({Role(task.Role)})");
            }

            if (state.Activity is { } activity)
            {
                notes.Add($"activity {WorkflowLabels.Words(activity.Kind).ToLowerInvariant()}");
            }

            if (state.Clock is { } clock)
            {
                notes.Add($"clock {clock.Action.ToString().ToLowerInvariant()}");
            }

            text.Append("    state \"").Append(Label(label)).Append("\" as ").Append(Name(state.Id)).Append('\n');
            if (notes.Count > 0)
            {
                text.Append("    ").Append(Name(state.Id)).Append(" : ").Append(Label(string.Join(", ", notes))).Append('\n');
            }
        }

        text.Append("    [*] --> ").Append(Name(definition.StartState)).Append('\n');
        foreach (var state in definition.States)
        {
            foreach (var transition in state.Transitions)
            {
                text.Append("    ").Append(Name(state.Id)).Append(" --> ").Append(Name(transition.To)).Append(" : ").Append(Label(Describe(transition))).Append('\n');
            }

            if (state.Terminal)
            {
                text.Append("    ").Append(Name(state.Id)).Append(" --> [*]\n");
            }
        }

        foreach (var transition in definition.AnyState)
        {
            text.Append("    note right of ").Append(Name(transition.To)).Append(" : from any open state on ").Append(Label(Describe(transition))).Append('\n');
        }

        return text.ToString();
    }

    // People read the diagram on the case page: labels, never slugs (issue 14 item 3); the state names keep the ids.
    private static string Describe(TransitionDefinition transition) =>
        WorkflowLabels.Event(transition.On) + (transition.When is { } when ? " (if " + WorkflowLabels.Words(when).ToLowerInvariant() + ")" : "");

    private static string Role(TaskRole role) => role switch
    {
        TaskRole.Dpo => "DPO",
        TaskRole.RecordOwner => "record owner",
        _ => "officer",
    };

    // Mermaid state names cannot hold hyphens; the shown label is the state's label.
    private static string Name(string id) => id.Replace('-', '_');

    private static string Label(string text) => text.Replace("\"", "'", StringComparison.Ordinal).Replace(":", " -", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
