using System.Globalization;
using KccRights.Cases;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;

namespace KccRights.Correspondence.Letters;

/// <summary>
/// A letter to the requester (ID request, chaser, clarification request, extension notice, response...), handed to the
/// <see cref="INotificationSender"/> with the letter's kind as its template. Outcome: <c>sent</c>. With SMTP configured
/// the sender is <see cref="MailNotificationSender"/> (the email, recorded in outbound_messages); without, the runtime's
/// recording sender. Replaceable: a module may take a kind over with its own handler (e.g. a response with its PDF).
/// </summary>
public sealed class RequesterLetterHandler(string kind, INotificationSender sender) : IJobHandler
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

/// <summary>
/// Art 12(3): records on the clock when the extension notice went to the requester, after the letter itself.
/// </summary>
public sealed class ExtensionNoticeHandler(INotificationSender sender, ClockStore clocks) : IJobHandler
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
