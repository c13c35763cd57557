using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.Workflows.Runtime;

namespace KccRights.Workflows.Activities;

/// <summary>Marks the case closed (its clock is closed by the terminal state's clock change). Outcome: <c>done</c>.</summary>
public sealed class CloseCaseHandler : ITransactionalJobHandler
{
    public string Kind => "close-case";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE cases SET status = 'closed', closed_at = @now WHERE id = @caseId AND status = 'open'",
            new { caseId = context.CaseId, now = context.Time.GetUtcNow() },
            context.Transaction,
            cancellationToken: cancellationToken));
        return "done";
    }
}

/// <summary>
/// UK GDPR Art 20 does not apply to public-task data; the requester accepted the offer of access instead: a linked
/// access case is opened, its clock started today, and its workflow started. Outcome: <c>done</c>.
/// </summary>
public sealed class OpenAccessCaseHandler(ClockStore clocks, WorkflowEngine engine) : ITransactionalJobHandler
{
    public string Kind => "open-access-case";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Time.GetUtcNow();
        var actor = string.Create(CultureInfo.InvariantCulture, $"job:{context.JobId}");
        var (caseId, _) = await CaseStore.CreateAsync(context.Transaction, Right.Access, LondonTime.DateOf(now).Year, "email", cancellationToken);
        await clocks.OpenAsync(context.Transaction, caseId, now, null, actor, cancellationToken);
        using var data = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$"""{"convertedFromCaseId":{{context.CaseId}}}"""));
        await engine.StartAsync(context.Transaction, caseId, Right.Access.Id(), data.RootElement, actor, cancellationToken);
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO workflow_log (at, case_id, instance_id, kind, actor, detail)
            VALUES (@now, @fromCase, @instanceId, 'case-converted', @actor, jsonb_build_object('accessCaseId', @caseId))
            """,
            new { now, fromCase = context.CaseId, instanceId = context.InstanceId, actor, caseId },
            context.Transaction,
            cancellationToken: cancellationToken));
        return "done";
    }
}

/// <summary>
/// Placeholder until intake stores ID documents: LEGAL-RULES.md section 2, ID copies are deleted once verification is
/// recorded. Records the step on the case log. Outcome: <c>done</c>.
/// </summary>
public sealed class DeleteIdCopiesHandler : IReplaceableJobHandler
{
    public string Kind => "delete-id-copies";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO workflow_log (at, case_id, instance_id, kind, actor, detail)
            VALUES (@now, @caseId, @instanceId, 'id-copies-deleted', @actor, '{"stored":"none yet: intake stores ID documents"}')
            """,
            new { now = context.Time.GetUtcNow(), caseId = context.CaseId, instanceId = context.InstanceId, actor = string.Create(CultureInfo.InvariantCulture, $"job:{context.JobId}") },
            context.Transaction,
            cancellationToken: cancellationToken));
        return "done";
    }
}
