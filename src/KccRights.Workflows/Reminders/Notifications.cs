using System.Text.Json;
using Dapper;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;

namespace KccRights.Workflows.Reminders;

/// <summary>
/// One notification to send: a reminder to the officer or the team, or a letter to the requester. <see cref="Key"/> is
/// unique per notification, so a sender that sends outside the database can refuse to send the same one twice.
/// </summary>
public sealed record OutboundNotification
{
    public required string Key { get; init; }

    public required string Template { get; init; }

    /// <summary>officer (an officer's user name), team (a team id), role (dpo), requester (the case's requester).</summary>
    public required string RecipientKind { get; init; }

    public required string Recipient { get; init; }

    public long? CaseId { get; init; }

    public long? InstanceId { get; init; }

    public long JobId { get; init; }

    /// <summary>Template data: dates and ids only, never personal data.</summary>
    public string DataJson { get; init; } = "{}";
}

/// <summary>
/// Sends notifications, inside the job's transaction: how the runtime asks for a reminder or letter to go out. The
/// default records them in outbound_notifications; Correspondence registers the one that sends email
/// (<c>MailNotificationSender</c>, which records too, so a retried job does not send twice).
/// </summary>
public interface INotificationSender
{
    Task SendAsync(OutboundNotification notification, JobContext context, CancellationToken cancellationToken);
}

/// <summary>The send-notification job: reminders armed by the definitions' timers end up here.</summary>
public sealed class SendNotificationHandler(INotificationSender sender) : IJobHandler
{
    public string Kind => WorkflowEngine.NotificationJobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = context.Payload.Deserialize<NotificationPayload>(WorkflowJson.Options)
            ?? throw new InvalidOperationException($"Job {context.JobId} has no notification payload.");
        await sender.SendAsync(
            new OutboundNotification
            {
                Key = payload.Key ?? $"job:{context.JobId}",
                Template = payload.Template,
                RecipientKind = payload.RecipientKind,
                Recipient = payload.Recipient,
                CaseId = context.CaseId,
                InstanceId = context.InstanceId,
                JobId = context.JobId,
                DataJson = payload.Data is { } data ? data.GetRawText() : "{}",
            },
            context,
            cancellationToken);
        return null;
    }

    private sealed record NotificationPayload
    {
        public string? Key { get; init; }

        public string Template { get; init; } = "";

        public string RecipientKind { get; init; } = "";

        public string Recipient { get; init; } = "";

        public JsonElement? Data { get; init; }
    }
}

/// <summary>
/// The wording the notifications a definition names must have (registered by Correspondence): when registered, a
/// definition whose timer or letter activity names a template with no wording for one of its rights is refused at
/// start, like an unknown activity, instead of a generic letter going out.
/// </summary>
public interface INotificationTemplates
{
    /// <summary>The activity kinds that send a letter worded by the template of the same name.</summary>
    IReadOnlySet<string> LetterKinds { get; }

    /// <summary>Null when <paramref name="templateName"/> has wording for <paramref name="right"/>; else what is missing.</summary>
    string? Missing(string templateName, KccRights.Domain.Cases.Right right);
}
