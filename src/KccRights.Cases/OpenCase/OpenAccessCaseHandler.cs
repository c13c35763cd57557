using System.Globalization;
using System.Text.Json;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Runtime;

namespace KccRights.Cases;

/// <summary>
/// UK GDPR Art 20 does not apply to public-task data; the requester accepted the offer of access instead: a linked
/// access case is opened, its clock started today, and its workflow started. Outcome: <c>done</c>.
/// </summary>
public sealed class OpenAccessCaseHandler(CaseOpener opener) : ITransactionalJobHandler
{
    public string Kind => "open-access-case";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Time.GetUtcNow();
        var actor = string.Create(CultureInfo.InvariantCulture, $"job:{context.JobId}");
        var opened = await opener.OpenAsync(
            context.Transaction,
            new OpenCaseCommand { Right = Right.Access, Channel = "email", ReceivedAt = now, Actor = actor, Relationship = null },
            cancellationToken);
        using var data = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$"""{"convertedFromCaseId":{{context.CaseId}}}"""));
        await opener.StartWorkflowAsync(context.Transaction, opened, data.RootElement, actor, cancellationToken);
        await WorkflowLog.RecordAsync(context, "case-converted", new { accessCaseId = opened.Id }, cancellationToken);
        return "done";
    }
}
