using System.Text.Json;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Cases;

/// <summary>What a new case is opened with, from whichever door it came in by (email, triage, by hand, conversion).</summary>
public sealed record OpenCaseCommand
{
    public required Right Right { get; init; }

    /// <summary>How the request reached the council: email, letter, phone, in-person, portal.</summary>
    public required string Channel { get; init; }

    /// <summary>
    /// The instant the request reached the council. Day 1 of the statutory clock is its London date (LEGAL-RULES.md
    /// section 1), worked out once, here. For a date an officer records, see <see cref="LondonTime.ReceivedInstant"/>.
    /// </summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Who or what opened it (a staff id, <c>intake</c>, <c>job:N</c>): the clock's history and the audit name it.</summary>
    public required string Actor { get; init; }

    /// <summary>The requester's relationship to the data subject (self, parent, ...); null when not known.</summary>
    public string? Relationship { get; init; }

    public long? InboundMessageId { get; init; }

    /// <summary>Who asked and about whom: sealed, never stored in plain text (issue 9 Build 6).</summary>
    public CaseRequestParties? Parties { get; init; }

    /// <summary>The subject's details intake found: sealed like the parties.</summary>
    public CaseRequestDetails? Details { get; init; }

    public string? Language { get; init; }

    public double? Confidence { get; init; }

    /// <summary>Whether the acknowledgement asks for proof of identity (UK GDPR Art 12(6)).</summary>
    public bool IdRequested { get; init; }
}

/// <summary>A case just opened, inside the caller's transaction.</summary>
public sealed record OpenedCase(long Id, CaseReference Reference, Right Right, DateOnly ReceivedOn);

/// <summary>
/// The one place a case is opened: its reference, its row, its statutory clock and its request record, in the caller's
/// transaction; and the one place its workflow is started. Intake (emails and triage), the officers' form and API, a
/// conversion from another right and the demonstration data all come through here.
/// </summary>
public sealed class CaseOpener(ClockStore clocks, IWorkflowEngine workflows, IPersonalDataCipher cipher, TimeProvider time)
{
    private readonly CaseSearchIndex _searchIndex = new(cipher);

    public async Task<OpenedCase> OpenAsync(NpgsqlTransaction transaction, OpenCaseCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(command);
        var receivedOn = LondonTime.DateOf(command.ReceivedAt);
        var (caseId, reference) = await CaseStore.CreateAsync(transaction, command.Right, receivedOn.Year, command.Channel, cancellationToken);
        await clocks.OpenAsync(transaction, caseId, command.ReceivedAt, receivedOn, command.Actor, cancellationToken);
        if (command.Parties is not null || command.Details is not null || command.InboundMessageId is not null || command.Relationship is not null)
        {
            await transaction.Connection!.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO case_requests (case_id, inbound_message_id, relationship, sealed_details, sealed_parties, language, confidence,
                                           id_requested, created_at)
                VALUES (@caseId, @inboundId, @relationship, @sealedDetails, @sealedParties, coalesce(@language, 'en'), @confidence, @idRequested, @now)
                """,
                new
                {
                    caseId,
                    inboundId = command.InboundMessageId,
                    relationship = command.Relationship ?? "self",

                    // Issue 9 Build 6: the requester, the subject and their details are sealed with the stored-mail keys,
                    // never kept in plain text (migrations 0082, 0083).
                    sealedDetails = command.Details?.Seal(cipher, caseId),
                    sealedParties = command.Parties?.Seal(cipher, caseId),
                    language = command.Language,
                    confidence = command.Confidence is { } c ? (decimal?)Math.Round((decimal)c, 2) : null,
                    idRequested = command.IdRequested,
                    now = time.GetUtcNow(),
                },
                transaction,
                cancellationToken: cancellationToken));

            // Issue 14 item 2: the blind index the search finds the case by (names, email, date of birth), in the same
            // transaction, so a case is searchable as soon as it exists (ADR 0007).
            await _searchIndex.WriteAsync(transaction, caseId, command.Parties, command.Details, cancellationToken);
        }

        return new OpenedCase(caseId, reference, command.Right, receivedOn);
    }

    /// <summary>Starts the right's workflow for a case just opened: from here the workflow runs it.</summary>
    public Task<long> StartWorkflowAsync(NpgsqlTransaction transaction, OpenedCase opened, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(opened);
        return workflows.StartAsync(transaction, opened.Id, opened.Right.Id(), data, actor, cancellationToken);
    }

    /// <summary>Links two cases (one email asking for several rights; a complaint about an earlier case).</summary>
    public async Task LinkAsync(NpgsqlTransaction transaction, long caseId, long linkedCaseId, string type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO case_links (case_id, linked_case_id, link_type, created_at) VALUES (@caseId, @linkedCaseId, @type, @now)
            ON CONFLICT (case_id, linked_case_id) DO NOTHING
            """,
            new { caseId, linkedCaseId, type, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>Adds a note to a case's file.</summary>
    public async Task AddNoteAsync(NpgsqlTransaction transaction, long caseId, string author, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO case_notes (case_id, author, body, created_at) VALUES (@caseId, @author, @body, @now)",
            new { caseId, author, body, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
    }
}
