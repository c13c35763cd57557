using System.Text.Json;
using KccRights.Domain.Deadlines;
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

/// <summary>
/// UK GDPR Art 12(3): a case can be extended once, and only while the requester can still be told within the first
/// month (today is on or before the notice date).
/// </summary>
public sealed class ExtensionAllowedCondition : IWorkflowCondition
{
    public string Name => "extension-allowed";

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var dates = await CaseDates.LoadAsync(context.Transaction, context.CaseId, cancellationToken);
        return dates is { IsOpen: true, Extended: false } && LondonTime.Today(context.Time) <= dates.NoticeBy;
    }
}

/// <summary>The case has not been extended (the extension-notice reminder is pointless once it has).</summary>
public sealed class NotExtendedCondition : IWorkflowCondition
{
    public string Name => "not-extended";

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var dates = await CaseDates.LoadAsync(context.Transaction, context.CaseId, cancellationToken);
        return dates is { Extended: false };
    }
}

public static class BuiltInConditions
{
    public static IReadOnlyList<IWorkflowCondition> All { get; } =
    [
        // Art 12(6): ask for ID only where there is reasonable doubt (the triage form records the officer's view).
        new DataFlagCondition("identity-in-doubt", "identityInDoubt"),

        // Art 12A(5): clarification is asked only where the council needs to know what the request covers.
        new DataFlagCondition("clarification-needed", "clarificationNeeded"),

        // Art 12(5): manifestly unfounded or excessive requests may be refused; the DPO decides.
        new DataFlagCondition("manifestly-unfounded-or-excessive", "manifestlyUnfoundedOrExcessive"),

        // Art 18(3): a restriction is in place (the record owner flagged it), so the requester must be told before it is lifted.
        new OutcomeCondition("restriction-applied", "restriction-assessment", "restrict"),

        // Art 20: public-task data is not portable; the response offers access instead and the case waits for the answer.
        new OutcomeCondition("access-offered", "portability-assessment", "not-applicable"),

        // Art 21(1): the objection was not upheld, so the restriction applied meanwhile (Art 18(1)(d)) is lifted, with notice (Art 18(3)).
        new OutcomeCondition("objection-not-upheld", "objection-assessment", "compelling-grounds", "not-applicable"),
        new ExtensionAllowedCondition(),
        new NotExtendedCondition(),
    ];
}
