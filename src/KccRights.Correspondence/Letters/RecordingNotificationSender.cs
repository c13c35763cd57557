using Dapper;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;

namespace KccRights.Correspondence.Letters;

/// <summary>
/// Records each notification once (by key) in outbound_notifications, Correspondence's record of what the workflows
/// asked to be sent, in the job's transaction. The sender when no SMTP server is configured; the mail sender records
/// through it first, then marks the row sent.
/// </summary>
public sealed class RecordingNotificationSender : INotificationSender
{
    public async Task SendAsync(OutboundNotification notification, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(context);
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbound_notifications (dedupe_key, case_id, instance_id, job_id, template, recipient_kind, recipient, data, created_at)
            VALUES (@Key, @CaseId, @InstanceId, @JobId, @Template, @RecipientKind, @Recipient, @DataJson::jsonb, @now)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            new
            {
                notification.Key,
                notification.CaseId,
                notification.InstanceId,
                notification.JobId,
                notification.Template,
                notification.RecipientKind,
                notification.Recipient,
                notification.DataJson,
                now = context.Time.GetUtcNow(),
            },
            context.Transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>Marks a recorded notification sent, in the job's transaction (the sender that delivered it calls this).</summary>
    public static async Task MarkSentAsync(JobContext context, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE outbound_notifications SET status = 'sent', sent_at = @now WHERE dedupe_key = @key",
            new { now = context.Time.GetUtcNow(), key },
            context.Transaction,
            cancellationToken: cancellationToken));
    }
}
