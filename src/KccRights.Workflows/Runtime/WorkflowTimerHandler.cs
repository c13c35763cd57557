using System.Globalization;
using System.Text.Json;
using KccRights.Workflows.Definitions;

namespace KccRights.Workflows.Runtime;

/// <summary>The workflow-timer job: a timer's run_at has come; the engine fires it in this job's transaction.</summary>
public sealed class WorkflowTimerHandler(WorkflowEngine engine) : IJobHandler
{
    public string Kind => WorkflowEngine.TimerJobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = context.Payload.Deserialize<TimerPayload>(WorkflowJson.Options)
            ?? throw new InvalidOperationException($"Job {context.JobId} has no timer payload.");
        await engine.FireTimerAsync(context.Transaction, payload, string.Create(CultureInfo.InvariantCulture, $"timer:{context.JobId}"), cancellationToken);
        return null;
    }
}
