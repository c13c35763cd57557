using System.Text.Json;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Intake.Classification;
using KccRights.Intake.Storage;
using KccRights.Intake.Threading;
using KccRights.Intake.Triage;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Intake.Processing;

/// <summary>What the processor did with one stored message.</summary>
public sealed record IntakeOutcome(long MessageId, MessageKind Kind, string Status, IReadOnlyList<CaseReference> OpenedCases, IReadOnlyList<long> AttachedToCases, bool Triaged);

/// <summary>
/// Acts on stored inbound messages, one transaction each: classify; a request opens one case per right (linked), starts
/// its clock at the instant the message reached the mailbox, starts the right's workflow and enqueues the
/// acknowledgement; a reply is attached to its case and raises the workflow event; auto-replies and bounces are
/// recorded on the matching case (or, matching none, sent to triage) and never answered; anything else goes to triage.
/// Nothing is dropped.
/// </summary>
public sealed partial class IntakeProcessor(
    NpgsqlDataSource dataSource,
    InboundMessageStore store,
    MessageClassifier classifier,
    CaseOpener opener,
    IWorkflowEngine workflows,
    IJobQueue jobs,
    TimeProvider time,
    ILogger<IntakeProcessor> logger)
{
    public const string Actor = "intake";
    public const string AcknowledgementJob = "send-acknowledgement";
    public const string ReplyReceived = "reply-received";
    public const string IdReceived = "id-received";

    /// <summary>Processes every stored message not yet acted on; returns how many were processed.</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var pending = await store.PendingAsync(100, cancellationToken);
            var done = 0;
            foreach (var id in pending)
            {
                if (await ProcessAsync(id, cancellationToken) is not null)
                {
                    done++;
                }
            }

            total += done;
            if (pending.Count < 100 || done == 0)
            {
                return total;
            }
        }
    }

    /// <summary>Processes one stored message; null when another worker has it or it was already processed.</summary>
    /// <remarks>
    /// Issue 9, item 1: the message is read and classified with NO transaction open (classification is bounded, but a
    /// row lock held across it stalled intake); only the acting on it is one transaction, which locks the row and checks it
    /// is still waiting, so two workers never both act. The attempt is counted before the work, so a message that stops
    /// the service every time goes to triage instead of being read for ever.
    /// </remarks>
    public async Task<IntakeOutcome?> ProcessAsync(long inboundId, CancellationToken cancellationToken = default)
    {
        var attempt = await store.BeginAttemptAsync(inboundId, cancellationToken);
        if (attempt is not { } begun)
        {
            return null;
        }

        if (begun.Attempts > InboundMessageStore.MaxAttempts)
        {
            await store.GiveUpAsync(inboundId, begun.Attempts, begun.LastError, cancellationToken);
            Log.GaveUp(logger, inboundId, begun.Attempts - 1);
            return new IntakeOutcome(inboundId, MessageKind.Other, "triage", [], [], true);
        }

        try
        {
            var message = await store.LoadAsync(inboundId, cancellationToken);
            if (message is null || message.Status != "received")
            {
                return null;
            }

            var result = classifier.Classify(message.Raw);

            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT status FROM inbound_messages WHERE id = @inboundId FOR UPDATE SKIP LOCKED",
                new { inboundId },
                transaction,
                cancellationToken: cancellationToken));
            if (status != "received")
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }

            var threads = await ThreadResolver.ResolveAsync(transaction, result, cancellationToken);
            var outcome = await ActAsync(transaction, message, result, threads, cancellationToken);
            await InboundMessageStore.SetOutcomeAsync(transaction, inboundId, outcome.Status, result, time.GetUtcNow(), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            Log.Processed(logger, inboundId, result.Kind.Id(), outcome.Status, string.Join(",", outcome.OpenedCases));
            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            // The database is unreachable: an outage, not this message's fault. The caller backs off and tries again.
            throw;
        }
        // Issue 9, item 2: whatever a message makes fail, it is retried and then reaches triage; it never blocks the next.
        catch (Exception ex)
        {
            // Left as 'received' with the error noted: the next run tries again; after the last attempt it goes to triage.
            Log.Failed(logger, inboundId, ex.GetType().Name);
            await store.RecordFailureAsync(inboundId, $"{ex.GetType().Name}: {ex.Message}", CancellationToken.None);
            return null;
        }
    }

    private async Task<IntakeOutcome> ActAsync(NpgsqlTransaction transaction, StoredMessage message, ClassificationResult result, IReadOnlyList<ThreadMatch> threads, CancellationToken cancellationToken)
    {
        var caseIds = threads.Select(t => t.CaseId).ToList();
        var isComplaint = result.Kind == MessageKind.Request && result.Rights.Contains(Right.Complaint);
        var repliesToUs = threads.Any(t => t.How.StartsWith("In-Reply-To", StringComparison.Ordinal));
        switch (result.Kind)
        {
            case MessageKind.Bounce or MessageKind.AutoReply:
                // RFC 3834 / RFC 3464: recorded on the case, never answered, never a new case.
                foreach (var caseId in caseIds)
                {
                    await LinkMessageAsync(transaction, message.Id, caseId, result.Kind.Id(), cancellationToken);
                }

                // Issue 14 item 1: one that matches nothing the service sent is not dropped unseen: an officer finds its
                // case (a letter that did not arrive) or closes it. It is still never answered.
                if (caseIds.Count == 0)
                {
                    string[] why = result.Kind == MessageKind.Bounce
                        ? ["a delivery failure that matches no message the service sent: find the case whose letter did not arrive"]
                        : ["an automatic reply that matches no message the service sent: nothing to answer"];
                    await TriageAsync(transaction, message.Id, null, result, why, TriageReasons.Of(result, matchesNoCase: true), cancellationToken);
                    return new IntakeOutcome(message.Id, result.Kind, "triage", [], [], true);
                }

                return new IntakeOutcome(message.Id, result.Kind, "ignored", [], caseIds, false);

            case MessageKind.Reply:
            case MessageKind.Request when repliesToUs && !isComplaint:
            case MessageKind.Other when repliesToUs:
                if (caseIds.Count == 0)
                {
                    await TriageAsync(transaction, message.Id, null, result, ["a reply that matches no case: find its case", .. result.Reasons], TriageReasons.Of(result, matchesNoCase: true), cancellationToken);
                    return new IntakeOutcome(message.Id, result.Kind, "triage", [], [], true);
                }

                // Attachments on a case (ID, authority) are for an officer to confirm: the workflow decides what follows.
                var eventName = result.Attachments.Count > 0 ? IdReceived : ReplyReceived;
                foreach (var caseId in caseIds)
                {
                    await LinkMessageAsync(transaction, message.Id, caseId, "reply", cancellationToken);
                    await workflows.RaiseAsync(transaction, caseId, eventName, EventData(message.Id, result), Actor, cancellationToken);
                }

                return new IntakeOutcome(message.Id, MessageKind.Reply, "processed", [], caseIds, false);

            case MessageKind.Request:
                return await OpenCasesAsync(transaction, message, result, isComplaint ? caseIds : [], cancellationToken);

            default:
                await TriageAsync(transaction, message.Id, caseIds.Count > 0 ? caseIds[0] : null, result, result.TriageReasons.Count > 0 ? result.TriageReasons : result.Reasons, TriageReasons.Of(result, matchesNoCase: caseIds.Count == 0 && result.CaseReferences.Count > 0), cancellationToken);
                return new IntakeOutcome(message.Id, result.Kind, "triage", [], caseIds, true);
        }
    }

    private async Task<IntakeOutcome> OpenCasesAsync(NpgsqlTransaction transaction, StoredMessage message, ClassificationResult result, IReadOnlyList<long> complainedOf, CancellationToken cancellationToken)
    {
        var opened = new List<OpenedCase>();
        var askForId = result.Relationship is Relationship.Child or Relationship.Other
            || (result.Relationship == Relationship.Client && result.Attachments.Count == 0);
        foreach (var right in result.Rights)
        {
            // LEGAL-RULES.md section 1: day 1 is the London date of the instant the request reached the mailbox.
            var openedCase = await opener.OpenAsync(
                transaction,
                new OpenCaseCommand
                {
                    Right = right,
                    Channel = "email",
                    ReceivedAt = message.ReceivedAt,
                    Actor = Actor,
                    InboundMessageId = message.Id,
                    Relationship = (result.Relationship ?? Relationship.Self).Id(),
                    Details = new CaseRequestDetails
                    {
                        SubjectDob = result.Subject.DateOfBirth,
                        PreviousNames = result.Subject.PreviousNames.ToArray(),
                        School = result.Subject.School,
                        Upn = result.Subject.Upn,
                        Address = result.Subject.Address,
                        Postcode = result.Subject.Postcode,
                    },
                    Parties = new CaseRequestParties
                    {
                        RequesterName = result.Requester.Name,
                        RequesterEmail = result.Requester.Email,
                        SubjectName = result.Subject.Name,
                        AgentReference = result.Reference,
                        Reasons = result.Reasons.ToArray(),
                    },
                    Language = result.Language,
                    Confidence = result.Confidence,
                    IdRequested = askForId,
                },
                cancellationToken);
            await LinkMessageAsync(transaction, message.Id, openedCase.Id, "request", cancellationToken);
            opened.Add(openedCase);
        }

        // One email, several rights: one case per right, linked both ways.
        foreach (var a in opened)
        {
            foreach (var b in opened.Where(b => b.Id != a.Id))
            {
                await opener.LinkAsync(transaction, a.Id, b.Id, "same-request", cancellationToken);
            }

            foreach (var earlier in complainedOf.Where(c => c != a.Id))
            {
                await opener.LinkAsync(transaction, a.Id, earlier, "complaint-about", cancellationToken);
                await opener.LinkAsync(transaction, earlier, a.Id, "complained-of", cancellationToken);
                await LinkMessageAsync(transaction, message.Id, earlier, "complaint-about", cancellationToken);
            }
        }

        foreach (var openedCase in opened)
        {
            var (caseId, reference) = (openedCase.Id, openedCase.Reference);
            var data = JsonSerializer.SerializeToElement(new
            {
                inboundMessageId = message.Id,
                relationship = (result.Relationship ?? Relationship.Self).Id(),
                confidence = result.Confidence,
                needsTriage = result.NeedsTriage,
                linkedCases = opened.Where(o => o.Id != caseId).Select(o => o.Reference.ToString()).ToArray(),
            });
            await opener.StartWorkflowAsync(transaction, openedCase, data, Actor, cancellationToken);
            await jobs.EnqueueAsync(transaction, AcknowledgementJob, new { caseId, askForId }, caseId, dedupeKey: reference.ToString(), cancellationToken: cancellationToken);
        }

        if (result.NeedsTriage)
        {
            await TriageAsync(transaction, message.Id, opened[0].Id, result, result.TriageReasons, TriageReasons.Of(result, matchesNoCase: false), cancellationToken);
        }

        return new IntakeOutcome(message.Id, MessageKind.Request, result.NeedsTriage ? "triage" : "processed", opened.Select(o => o.Reference).ToList(), complainedOf, result.NeedsTriage);
    }

    private static JsonElement EventData(long inboundId, ClassificationResult result) => JsonSerializer.SerializeToElement(new
    {
        inboundMessageId = inboundId,
        attachments = result.Attachments.Select(a => new { name = a.Name, contentType = a.ContentType, bytes = a.Bytes }).ToArray(),
    });

    private async Task LinkMessageAsync(NpgsqlTransaction transaction, long inboundId, long caseId, string role, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO messages_cases (inbound_message_id, case_id, role, linked_at) VALUES (@inboundId, @caseId, @role, @now)
            ON CONFLICT (inbound_message_id, case_id) DO NOTHING
            """,
            new { inboundId, caseId, role, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>
    /// A row for the triage inbox. <c>reasons</c> is always a non-empty JSON array of sentences an officer can read;
    /// <c>reason_kind</c> is 'over-budget' when the message was read only in part or not in time, else 'classification';
    /// <c>reason_codes</c> say why in the inbox's words (<see cref="TriageReasons"/>, issue 14 item 1).
    /// </summary>
    private async Task TriageAsync(NpgsqlTransaction transaction, long inboundId, long? caseId, ClassificationResult result, IReadOnlyList<string> reasons, IReadOnlyList<string> codes, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO intake_triage (inbound_message_id, case_id, reasons, reason_kind, reason_codes, created_at)
            VALUES (@inboundId, @caseId, @reasons::jsonb, @reasonKind, @codes, @now)
            ON CONFLICT (inbound_message_id) DO NOTHING
            """,
            new
            {
                inboundId,
                caseId,
                reasons = JsonSerializer.Serialize(reasons.Count > 0 ? reasons : ["intake could not tell what this message is: an officer must read it"]),
                reasonKind = result.OverBudget ? "over-budget" : "classification",
                codes = codes.ToArray(),
                now = time.GetUtcNow(),
            },
            transaction,
            cancellationToken: cancellationToken));

    private static partial class Log
    {
        [LoggerMessage(4201, LogLevel.Information, "Inbound message {Id}: {Kind}, {Status}; opened [{Cases}]")]
        public static partial void Processed(ILogger logger, long id, string kind, string status, string cases);

        [LoggerMessage(4202, LogLevel.Error, "Inbound message {Id} could not be processed ({Error}); it stays queued")]
        public static partial void Failed(ILogger logger, long id, string error);

        [LoggerMessage(4203, LogLevel.Error, "Inbound message {Id} was started {Attempts} times without finishing: sent to triage unread")]
        public static partial void GaveUp(ILogger logger, long id, int attempts);
    }
}
