using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using KccRights.Correspondence.Letters;
using KccRights.Disclosure.Response;
using KccRights.Documents.Security;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Disclosure.Dispatch;

/// <summary>
/// The access workflow's <c>dispatch</c> activity (issue 13 Build 6): sends the DPO-approved response PDF
/// (<see cref="IResponseDocuments.ApprovedAsync"/>) to the requester and closes the case.
/// <list type="bullet">
/// <item>By email: the PDF encrypted (AES-256, <see cref="PdfEncryption"/>, a random password) attached to the response
/// letter, and the password in a second, separate message (UK GDPR Art 32: appropriate security).</item>
/// <item>By link, when the PDF is over <see cref="DispatchOptions.MaxEmailBytes"/> or the link was chosen: a random
/// 256-bit token (only its SHA-256 is kept), an expiry, and a one-time code in a separate message
/// (<see cref="DownloadLinks"/> serves it).</item>
/// </list>
/// The requester's copy (the exact bytes sent, sealed) is kept with the method, time and SHA-256, and the timeline records
/// what went. An approved Art 12(5) refusal has no PDF: it is the refusal letter (<c>send-response</c>) that goes.
/// Idempotent: the dispatch (its password, token and code) is recorded before anything is sent, in a transaction of its
/// own, and every message is recorded by its key as it goes, so a job run again sends only what had not gone.
/// </summary>
public sealed partial class DispatchResponseHandler(
    IServiceProvider services,
    INotificationSender notifications,
    IPersonalDataCipher cipher,
    NpgsqlDataSource dataSource,
    DispatchOptions options,
    ILogger<DispatchResponseHandler> logger) : IJobHandler
{
    public const string ActivityKind = "dispatch-response";

    public string Kind => ActivityKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException("The dispatch job has no case.");
        var connection = context.Transaction.Connection!;

        // UK GDPR Art 12(5): a refusal the DPO approved is answered by the refusal letter, with the Art 12(4) rights.
        var refusal = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT outcome FROM workflow_tasks
            WHERE case_id = @caseId AND status = 'completed' AND state = 'refusal-sign-off'
            ORDER BY completed_at DESC, id DESC LIMIT 1
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken));
        var approvedAt = await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT max(completed_at) FROM workflow_tasks WHERE case_id = @caseId AND status = 'completed' AND state = 'dpo-sign-off' AND outcome = 'approved'",
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken));
        if (refusal == "approved" && approvedAt is null)
        {
            return await new RequesterLetterHandler("send-response", notifications).HandleAsync(context, cancellationToken);
        }

        // Resolved when run: hosts that only check definitions register the activity without mail or documents.
        var mail = services.GetRequiredService<RequesterMail>();
        var documents = services.GetService<IResponseDocuments>()
            ?? throw new InvalidOperationException("No response documents are registered (IResponseDocuments): nothing is sent.");
        var approved = await documents.ApprovedAsync(caseId, cancellationToken)
            ?? throw new InvalidOperationException($"Case {caseId} has no response PDF approved by the DPO: nothing is sent.");
        if (!mail.CanSend)
        {
            throw new InvalidOperationException("No SMTP server is configured: the response cannot be dispatched.");
        }

        var reference = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT reference FROM cases WHERE id = @caseId", new { caseId }, context.Transaction, cancellationToken: cancellationToken)) ?? "";
        var choice = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            SELECT outcome_data ->> 'dispatchMethod' FROM workflow_tasks
            WHERE case_id = @caseId AND status = 'completed' AND state IN ('draft-response', 'dpo-sign-off')
              AND outcome_data ->> 'dispatchMethod' IN ('email', 'link')
            ORDER BY completed_at DESC, id DESC LIMIT 1
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken));

        var dispatch = await PrepareAsync(caseId, approved, choice, context.Time, cancellationToken);
        if (dispatch.SentAt is not null)
        {
            return "sent";
        }

        var fileName = $"response-{reference}.pdf";
        var secret = JsonSerializer.Deserialize<Secret>(cipher.Open(dispatch.SealedSecret!, SecretContext(caseId, approved.Id)))!;
        var key = string.Create(CultureInfo.InvariantCulture, $"dispatch:{dispatch.Id}");
        if (dispatch.Method == "email")
        {
            var copy = Convert.FromBase64String(cipher.Open(dispatch.SealedCopy, CopyContext(caseId, approved.Id)));
            await mail.SendAsync(
                new RequesterLetter
                {
                    Key = key + ":response",
                    Template = "dispatch-response",
                    CaseId = caseId,
                    Values = new Dictionary<string, object?> { ["file_name"] = fileName, ["page_count"] = approved.PageCount },
                    Attachments = [new MailAttachment(copy, fileName, "application/pdf")],
                },
                context.Time,
                cancellationToken);

            // Art 32: the password never travels with the document.
            await mail.SendAsync(
                new RequesterLetter { Key = key + ":password", Template = "dispatch-password", CaseId = caseId, Values = new Dictionary<string, object?> { ["password"] = secret.Password } },
                context.Time,
                cancellationToken);
        }
        else
        {
            var baseUrl = options.PublicBaseUrl;
            if (string.IsNullOrWhiteSpace(baseUrl))
            {
                throw new InvalidOperationException($"{DispatchOptions.Section}:PublicBaseUrl is not set: a download link cannot be sent.");
            }

            var expiresOn = LetterModel.Date(KccRights.Domain.Deadlines.LondonTime.DateOf(dispatch.ExpiresAt!.Value));
            await mail.SendAsync(
                new RequesterLetter
                {
                    Key = key + ":link",
                    Template = "dispatch-link",
                    CaseId = caseId,
                    Values = new Dictionary<string, object?>
                    {
                        ["link_url"] = $"{baseUrl.TrimEnd('/')}/download/{secret.Token}",
                        ["expires_on"] = expiresOn,
                        ["page_count"] = approved.PageCount,
                        ["max_attempts"] = options.MaxCodeAttempts,
                    },
                },
                context.Time,
                cancellationToken);
            await mail.SendAsync(
                new RequesterLetter { Key = key + ":code", Template = "dispatch-code", CaseId = caseId, Values = new Dictionary<string, object?> { ["code"] = secret.Code, ["expires_on"] = expiresOn } },
                context.Time,
                cancellationToken);
        }

        // Sent: the password and the token are no longer needed (only the token's hash and the sealed code remain, for the
        // download page), and the case's timeline records what went (Art 15(1)(a)-(h) and 15(3)).
        var now = context.Time.GetUtcNow();
        var methodText = dispatch.Method == "email"
            ? "by email, the PDF encrypted (AES-256) with the password in a separate email"
            : string.Create(CultureInfo.InvariantCulture, $"by download link (expires {dispatch.ExpiresAt:yyyy-MM-dd HH:mm} UTC), the one-time code in a separate email");
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"Response version {approved.Version} sent {methodText}. PDF: {approved.PageCount} pages, SHA-256 {dispatch.Sha256} as sent (approved PDF {approved.Sha256}). Contents: a copy of the personal data (Art 15(3)) with the Art 15(1)(a)-(h) information and the Art 15(2) safeguards as set out in the approved response.");
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE disclosure_dispatches SET sent_at = @now, sealed_secret = NULL WHERE id = @id",
            new { now, id = dispatch.Id },
            context.Transaction,
            cancellationToken: cancellationToken));
        await WorkflowLog.RecordAsync(
            context,
            "response-dispatched",
            new
            {
                summary,
                dispatchId = dispatch.Id,
                documentId = approved.Id,
                version = approved.Version,
                method = dispatch.Method,
                sha256 = dispatch.Sha256,
                approvedSha256 = approved.Sha256,
                pages = approved.PageCount,
                art15 = "1(a)-(h), 2, 3",
            },
            cancellationToken);
        Log.Dispatched(logger, reference, dispatch.Method, dispatch.Id);
        return "sent";
    }

    public static string CopyContext(long caseId, long documentId) => string.Create(CultureInfo.InvariantCulture, $"disclosure_dispatches.sealed_copy:{caseId}:{documentId}");

    public static string SecretContext(long caseId, long documentId) => string.Create(CultureInfo.InvariantCulture, $"disclosure_dispatches.sealed_secret:{caseId}:{documentId}");

    public static string CodeContext(long caseId, long documentId) => string.Create(CultureInfo.InvariantCulture, $"disclosure_dispatches.sealed_code:{caseId}:{documentId}");

    /// <summary>The token's SHA-256, the only form of it kept once the link is sent.</summary>
    public static byte[] TokenHash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>
    /// The dispatch of this approved version: found, or chosen, encrypted and recorded now, in a transaction of its own
    /// (committed before anything is sent, so a job run again sends the same password, link and code).
    /// </summary>
    private async Task<DispatchRow> PrepareAsync(long caseId, ResponseDocument approved, string? choice, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await FindAsync(connection, caseId, approved.Id, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var method = approved.Pdf.LongLength > options.MaxEmailBytes ? "link" : choice ?? options.Method;
        var now = time.GetUtcNow();
        byte[] sent;
        Secret secret;
        byte[]? tokenHash = null;
        byte[]? sealedCode = null;
        DateTimeOffset? expiresAt = null;
        if (method == "email")
        {
            var (pdf, password) = PdfEncryption.Encrypt(approved.Pdf);
            sent = pdf;
            secret = new Secret { Password = password };
        }
        else
        {
            // The link path sends the PDF as approved, over TLS, to whoever holds both the link and the code that came in
            // a separate email: a third secret (a password) would add nothing the code does not already give.
            sent = approved.Pdf;
            var token = Base64Url(RandomNumberGenerator.GetBytes(32));
            var code = RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
            secret = new Secret { Token = token, Code = code };
            tokenHash = TokenHash(token);
            sealedCode = cipher.Seal(code, CodeContext(caseId, approved.Id));
            // To the end of the London day the letters name, so "works until Tuesday 17 March" is true all that day.
            expiresAt = KccRights.Domain.Deadlines.LondonTime.At(KccRights.Domain.Deadlines.LondonTime.DateOf(now).AddDays(options.LinkExpiryDays), new TimeOnly(23, 59, 59));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO disclosure_dispatches (case_id, document_id, method, sealed_copy, sha256, source_sha256, page_count, size_bytes,
                                               sealed_secret, sealed_code, token_hash, expires_at, created_at)
            VALUES (@caseId, @documentId, @method, @sealedCopy, @sha256, @sourceSha256, @pages, @size, @sealedSecret, @sealedCode, @tokenHash, @expiresAt, @now)
            ON CONFLICT (case_id, document_id) DO NOTHING
            """,
            new
            {
                caseId,
                documentId = approved.Id,
                method,
                sealedCopy = cipher.Seal(Convert.ToBase64String(sent), CopyContext(caseId, approved.Id)),
                sha256 = Convert.ToHexStringLower(SHA256.HashData(sent)),
                sourceSha256 = approved.Sha256,
                pages = approved.PageCount,
                size = sent.Length,
                sealedSecret = cipher.Seal(JsonSerializer.Serialize(secret), SecretContext(caseId, approved.Id)),
                sealedCode,
                tokenHash,
                expiresAt,
                now,
            },
            cancellationToken: cancellationToken));
        return await FindAsync(connection, caseId, approved.Id, cancellationToken)
            ?? throw new InvalidOperationException("The dispatch was not recorded.");
    }

    private static Task<DispatchRow?> FindAsync(NpgsqlConnection connection, long caseId, long documentId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<DispatchRow?>(new CommandDefinition(
            "SELECT id, method, sealed_copy, sealed_secret, sha256, expires_at, sent_at FROM disclosure_dispatches WHERE case_id = @caseId AND document_id = @documentId",
            new { caseId, documentId },
            cancellationToken: cancellationToken));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record DispatchRow
    {
        public long Id { get; init; }
        public string Method { get; init; } = "";
        public byte[] SealedCopy { get; init; } = [];
        public byte[]? SealedSecret { get; init; }
        public string Sha256 { get; init; } = "";
        public DateTimeOffset? ExpiresAt { get; init; }
        public DateTimeOffset? SentAt { get; init; }
    }

    private sealed record Secret
    {
        public string? Password { get; init; }
        public string? Token { get; init; }
        public string? Code { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(5601, LogLevel.Information, "Response for {Reference} dispatched by {Method} (dispatch {DispatchId})")]
        public static partial void Dispatched(ILogger logger, string reference, string method, long dispatchId);
    }
}
