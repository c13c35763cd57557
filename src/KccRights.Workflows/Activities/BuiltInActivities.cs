using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;

namespace KccRights.Workflows.Activities;

/// <summary>
/// A letter to the requester (ID request, chaser, clarification request, extension notice, response...), handed to the
/// <see cref="INotificationSender"/> with the letter's kind as its template. Outcome: <c>sent</c>. The mail module
/// sends the real email through its sender, or replaces a kind with its own handler (e.g. a response with its PDF).
/// </summary>
public sealed class RequesterLetterHandler(string kind, INotificationSender sender) : IReplaceableJobHandler
{
    /// <summary>The letter kinds the definitions use.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
    [
        "send-id-request",            // UK GDPR Art 12(6)
        "send-id-chaser",
        "send-closure-no-id",
        "send-clarification-request", // Art 12A(5)
        "send-response",              // Arts 12(1), 15-22; refusals with Art 12(4) rights
        "send-complaint-acknowledgement", // DPA 2018 s.164A: within 30 days
        "send-restriction-lift-notice",   // Art 18(3)
        "notify-recipients",          // Art 19: each recipient of the data is told of a rectification, erasure or restriction
    ];

    public string Kind => kind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var recipientKind = kind == "notify-recipients" ? "team" : "requester";
        var recipient = kind == "notify-recipients"
            ? "recipients-of-data"
            : string.Create(CultureInfo.InvariantCulture, $"case:{context.CaseId}");
        await sender.SendAsync(
            new OutboundNotification
            {
                Key = string.Create(CultureInfo.InvariantCulture, $"letter:{context.JobId}"),
                Template = kind,
                RecipientKind = recipientKind,
                Recipient = recipient,
                CaseId = context.CaseId,
                InstanceId = context.InstanceId,
                JobId = context.JobId,
            },
            context,
            cancellationToken);
        return "sent";
    }
}

/// <summary>Art 12(3): records on the clock when the extension notice went to the requester, after the letter itself.</summary>
public sealed class ExtensionNoticeHandler(INotificationSender sender, ClockStore clocks) : IReplaceableJobHandler
{
    private readonly RequesterLetterHandler _letter = new("send-extension-notice", sender);

    public string Kind => "send-extension-notice";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcome = await _letter.HandleAsync(context, cancellationToken);
        if (context.CaseId is { } caseId)
        {
            if (context.InstanceId is { } instanceId)
            {
                // The instance before the clock, the order every step and officer's action takes them in.
                await WorkflowEngine.LockInstanceAsync(context.Transaction, instanceId, cancellationToken);
            }

            await clocks.RecordExtensionNotifiedAsync(caseId, context.Time.GetUtcNow(), $"job:{context.JobId}", context.Transaction, cancellationToken);
        }

        return outcome;
    }
}

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
