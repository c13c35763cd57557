using Dapper;
using KccRights.Infrastructure.Audit;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Cases.Retention;

/// <summary>What one retention run did (or, dry, would do): the ids of the cases purged.</summary>
public sealed record RetentionRun(DateTimeOffset Cutoff, bool DryRun, IReadOnlyList<long> Purged);

/// <summary>
/// The retention purge (UK GDPR Art 5(1)(e), storage limitation; issue 13 Build 7). A case closed longer ago than
/// <see cref="RetentionOptions.AfterClosure"/> is purged in its own transaction: an anonymised statistics record
/// (case_retention_records) is written, the case is marked purged, every module's <see cref="ICaseDataPurger"/> deletes
/// its rows and files of the case, and the purge is audited with ids and counts only. The case row stays (the audit
/// trail refers to it) with its reference, right, channel and dates, and nothing else. Safe to run anywhere and
/// again: the case row is locked with SKIP LOCKED, so two processes never purge the same case, and a purged case is
/// skipped.
/// </summary>
public sealed partial class CaseRetention(
    NpgsqlDataSource dataSource,
    IEnumerable<ICaseDataPurger> purgers,
    RetentionOptions options,
    AuditLog audit,
    TimeProvider time,
    ILogger<CaseRetention> logger)
{
    public const string Actor = "retention";

    /// <summary>
    /// The order purgers run in: a table that refers to another module's rows is emptied before them. Modules further
    /// down the pipeline (Disclosure, Documents, and any purger not named here) run first, Intake's stored mail last
    /// (case_requests and the triage replies refer to it).
    /// </summary>
    private static readonly string[] Order = ["correspondence", "collation", "workflows", "cases", "intake"];

    public RetentionOptions Options => options;

    /// <summary>The purgers in the order they run.</summary>
    public IReadOnlyList<ICaseDataPurger> Purgers { get; } = purgers
        .OrderBy(p => Array.IndexOf(Order, p.Name))
        .ThenBy(p => p.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>The closed, unpurged cases whose closing is older than the retention period at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<long>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM cases WHERE status = 'closed' AND purged_at IS NULL AND closed_at <= @cutoff ORDER BY closed_at, id",
            new { cutoff = options.Cutoff(now) },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Purges every due case (or, <paramref name="dryRun"/>, only lists them).</summary>
    public async Task<RetentionRun> RunAsync(bool dryRun, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = await DueAsync(now, cancellationToken);
        if (dryRun)
        {
            return new RetentionRun(options.Cutoff(now), true, due);
        }

        var purged = new List<long>();
        foreach (var caseId in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await PurgeAsync(caseId, now, cancellationToken))
            {
                purged.Add(caseId);
            }
        }

        return new RetentionRun(options.Cutoff(now), false, purged);
    }

    /// <summary>
    /// Purges one case if it is still due at <paramref name="now"/> (closed before the cut-off, not purged, not being
    /// purged by another process); false when it is not.
    /// </summary>
    public async Task<bool> PurgeAsync(long caseId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var locked = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT id FROM cases
            WHERE id = @caseId AND status = 'closed' AND purged_at IS NULL AND closed_at <= @cutoff
            FOR UPDATE SKIP LOCKED
            """,
            new { caseId, cutoff = options.Cutoff(now) },
            transaction,
            cancellationToken: cancellationToken));
        if (locked is null)
        {
            return false;
        }

        // The statistics record first, from the clock and the request before they go. Nothing personal: the right, the
        // channel, who asked in relation to the subject (self, child, client, other), the dates, extended or not, the
        // outcome (the workflow's final state id).
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO case_retention_records (case_id, reference, right_code, channel, relationship, received_on, due_on,
                effective_due_on, extended, paused_days, closed_on, days_taken, on_time, outcome, purged_at)
            SELECT c.id, c.reference, c.right_code, c.channel, r.relationship, k.received_on, k.due_on, k.effective_due_on,
                   coalesce(k.extended, false), coalesce(k.paused_days, 0), (c.closed_at AT TIME ZONE 'Europe/London')::date,
                   (c.closed_at AT TIME ZONE 'Europe/London')::date - k.received_on,
                   (c.closed_at AT TIME ZONE 'Europe/London')::date <= k.effective_due_on,
                   (SELECT i.state FROM workflow_instances i WHERE i.case_id = c.id ORDER BY i.id DESC LIMIT 1),
                   @now
            FROM cases c
            LEFT JOIN case_clocks k ON k.case_id = c.id
            LEFT JOIN case_requests r ON r.case_id = c.id
            WHERE c.id = @caseId
            ON CONFLICT (case_id) DO NOTHING
            """,
            new { caseId, now },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE cases SET purged_at = @now, assigned_to = NULL WHERE id = @caseId",
            new { caseId, now },
            transaction,
            cancellationToken: cancellationToken));

        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var purger in Purgers)
        {
            removed[purger.Name] = await purger.PurgeAsync(transaction, caseId, cancellationToken);
        }

        // Ids and counts only (never what was removed).
        await audit.RecordAsync(Actor, "system", "case.purged", caseId, detail: new { removed }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var total = removed.Values.Sum();
        Log.Purged(logger, caseId, total);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Retention: case {CaseId} purged ({Rows} rows and files removed)")]
        public static partial void Purged(ILogger logger, long caseId, int rows);
    }
}
