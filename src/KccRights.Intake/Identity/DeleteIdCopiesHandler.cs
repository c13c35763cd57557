using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Intake.Storage;
using KccRights.Workflows.Runtime;
using MimeKit;

namespace KccRights.Intake.Identity;

/// <summary>
/// <c>delete-id-copies</c>: once identity is verified, the copies of ID documents the requester emailed are deleted
/// (LEGAL-RULES.md section 2: record what was seen, keep no copy; UK GDPR Art 5(1)(c) data minimisation). Every
/// attachment of the replies on the case is cut out of the stored message, which is re-encrypted in place; the body
/// stays, with a note of what was removed and when. What was deleted (counts, never contents) is recorded on the case.
/// Idempotent: a second run finds no attachments left.
/// </summary>
public sealed class DeleteIdCopiesHandler(InboundMessageStore store, MessageCipher cipher) : IJobHandler
{
    public string Kind => "delete-id-copies";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = context.Transaction.Connection!;
        var messageIds = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT inbound_message_id FROM messages_cases WHERE case_id = @caseId AND role = 'reply' ORDER BY inbound_message_id",
            new { caseId = context.CaseId },
            context.Transaction,
            cancellationToken: cancellationToken))).AsList();

        var deleted = 0;
        var messages = 0;
        var now = context.Time.GetUtcNow();
        foreach (var id in messageIds)
        {
            var stored = await store.LoadAsync(connection, context.Transaction, id, forUpdate: false, cancellationToken);
            if (stored is null)
            {
                continue;
            }

            using var raw = new MemoryStream(stored.Raw);
            var message = await MimeMessage.LoadAsync(raw, cancellationToken);
            var removed = RemoveAttachments(message, now);
            if (removed == 0)
            {
                continue;
            }

            using var rewritten = new MemoryStream();
            await message.WriteToAsync(rewritten, cancellationToken);
            var hash = await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(
                "SELECT content_hash FROM inbound_messages WHERE id = @id", new { id }, context.Transaction, cancellationToken: cancellationToken));
            var (nonce, ciphertext, tag) = cipher.Encrypt(rewritten.ToArray(), hash);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE inbound_messages SET key_id = @keyId, nonce = @nonce, ciphertext = @ciphertext, tag = @tag, size_bytes = @size WHERE id = @id",
                new { id, keyId = cipher.KeyId, nonce, ciphertext, tag, size = (int)rewritten.Length },
                context.Transaction,
                cancellationToken: cancellationToken));
            deleted += removed;
            messages++;
        }

        await WorkflowLog.RecordAsync(context, "id-copies-deleted", new { attachmentsDeleted = deleted, messages }, cancellationToken);
        return "done";
    }

    /// <summary>Replaces every attachment with a short note; returns how many were removed.</summary>
    internal static int RemoveAttachments(MimeMessage message, DateTimeOffset at)
    {
        var removed = 0;
        var iterator = new MimeIterator(message);
        var targets = new List<(Multipart Parent, MimeEntity Part)>();
        while (iterator.MoveNext())
        {
            if (iterator.Parent is Multipart parent && iterator.Current is MimePart part && part.IsAttachment)
            {
                targets.Add((parent, part));
            }
        }

        foreach (var (parent, part) in targets)
        {
            var index = parent.IndexOf(part);
            parent[index] = new TextPart("plain")
            {
                Text = string.Create(CultureInfo.InvariantCulture, $"[An ID document ({((MimePart)part).ContentType.MimeType}) was attached here. It was deleted on {at:yyyy-MM-dd} after identity was verified; no copy is kept.]"),
            };
            removed++;
        }

        return removed;
    }
}
