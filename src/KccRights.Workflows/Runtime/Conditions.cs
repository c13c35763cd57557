using System.Text.Json;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>A named guard on a transition or a timer. Modules register theirs with DI; definitions name them in 'when'.</summary>
public interface IWorkflowCondition
{
    string Name { get; }

    ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken);
}

/// <summary>What a condition can see: the instance data (with the event's data merged in), the case and its transaction.</summary>
public sealed class ConditionContext
{
    public required long CaseId { get; init; }

    public required long InstanceId { get; init; }

    public required string State { get; init; }

    public required JsonElement Data { get; init; }

    public required NpgsqlTransaction Transaction { get; init; }

    public required TimeProvider Time { get; init; }

    public bool Flag(string name) =>
        Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}

/// <summary>A condition that holds when a boolean in the instance data (a form field or event data) is true.</summary>
public sealed class DataFlagCondition(string name, string field) : IWorkflowCondition
{
    public string Name => name;

    public ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(context.Flag(field));
    }
}

/// <summary>A condition that holds when a task of the given type was last completed with one of the given outcomes.</summary>
public sealed class OutcomeCondition(string name, string taskType, params string[] outcomes) : IWorkflowCondition
{
    public string Name => name;

    public ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var holds = context.Data.ValueKind == JsonValueKind.Object
            && context.Data.TryGetProperty(WorkflowEngine.OutcomesProperty, out var recorded)
            && recorded.ValueKind == JsonValueKind.Object
            && recorded.TryGetProperty(taskType, out var outcome)
            && outcome.ValueKind == JsonValueKind.String
            && outcomes.Contains(outcome.GetString(), StringComparer.Ordinal);
        return ValueTask.FromResult(holds);
    }
}
