using System.Globalization;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Records something a module did on a case's workflow log (its timeline), inside the caller's transaction: the
/// workflow log is the runtime's table, so other modules write it only through here.
/// </summary>
public static class WorkflowLog
{
    public static async Task RecordAsync(JobContext context, string kind, object detail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"Job {context.JobId} ({context.Kind}) runs for no case: there is no case log to record '{kind}' on.");
        var batch = new StepBatch(context.Transaction);
        WorkflowEngine.AddLog(
            batch,
            context.Time.GetUtcNow(),
            caseId,
            context.InstanceId,
            null,
            kind,
            null,
            null,
            null,
            string.Create(CultureInfo.InvariantCulture, $"job:{context.JobId}"),
            WorkflowEngine.Json(detail));
        await batch.FlushAsync(cancellationToken);
    }
}
