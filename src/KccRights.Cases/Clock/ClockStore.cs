using System.Diagnostics;
using System.Text.Json;
using Dapper;
using KccRights.Domain.Deadlines;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace KccRights.Cases;

/// <summary>
/// Stores each case's statutory clock. Every change locks the clock row, recalculates the dates with the deadline
/// engine, stores them and appends a history row, all in one transaction: the stored dates are never stale.
/// Each method takes the caller's transaction where it has one (the workflow runtime changes clocks inside its steps).
/// </summary>
public sealed partial class ClockStore(NpgsqlDataSource dataSource, DeadlineCalculator calculator, TimeProvider time, ILogger<ClockStore> logger)
{
    private const string ClockColumns =
        """
        case_id, received_at, received_on, id_received_on, fee_paid_on, clock_start, paused_days, is_paused, due_on,
        notice_by, extended_due_on, extended, extension_reason, extended_by, extended_at, extension_notified_at,
        effective_due_on, is_open, version
        """;

    public DeadlineCalculator Calculator => calculator;

    /// <summary>
    /// Starts the clock of a new case. The received date is the London date of the instant the request arrived
    /// (LEGAL-RULES.md section 1), unless staff give the real date of a letter or call.
    /// </summary>
    public async Task<ClockState> OpenAsync(NpgsqlTransaction transaction, long caseId, DateTimeOffset receivedAt, DateOnly? receivedOn, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var received = receivedOn ?? LondonTime.DateOf(receivedAt);
        var deadline = calculator.Calculate(new ClockInput { ReceivedOn = received });
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO case_clocks (case_id, received_at, received_on, clock_start, paused_days, is_paused, due_on, notice_by,
                                     extended_due_on, effective_due_on, updated_at)
            VALUES (@caseId, @receivedAt, @received, @clockStart, @pausedDays, @isPaused, @due, @noticeBy, @extendedDue, @due, @now)
            """,
            new
            {
                caseId,
                receivedAt,
                received,
                clockStart = deadline.ClockStart,
                pausedDays = deadline.PausedDays,
                isPaused = deadline.IsPaused,
                due = deadline.Due,
                noticeBy = deadline.ExtensionNoticeBy,
                extendedDue = deadline.ExtendedDue,
                now = time.GetUtcNow(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await AppendHistoryAsync(transaction, caseId, actor, "opened", new { received }, deadline, deadline.Due, cancellationToken);
        return (await LoadAsync(transaction, caseId, forUpdate: false, cancellationToken))!;
    }

    /// <summary>UK GDPR Art 12(6): ID reasonably asked for has arrived; the month restarts from that day.</summary>
    public Task<ClockState> RecordIdReceivedAsync(long caseId, DateOnly on, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(transaction, caseId, actor, "id-received", new { on }, (clock, pauses) => (clock with { IdReceivedOn = on }, pauses), cancellationToken);

    /// <summary>UK GDPR Art 12(5): a fee charged for a manifestly unfounded or excessive request was paid; restarts the month.</summary>
    public Task<ClockState> RecordFeePaidAsync(long caseId, DateOnly on, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(transaction, caseId, actor, "fee-paid", new { on }, (clock, pauses) => (clock with { FeePaidOn = on }, pauses), cancellationToken);

    /// <summary>UK GDPR Art 12A(5): the council asked for clarification on <paramref name="from"/>; the clock stops.</summary>
    public Task<ClockState> PauseAsync(long caseId, DateOnly from, string reason, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ClockChangeRefusedException("A pause needs a reason.");
        }

        return ChangeAsync(transaction, caseId, actor, "paused", new { from, reason }, (clock, pauses) =>
        {
            if (pauses.Any(p => p.EndsOn is null))
            {
                throw ClockChangeRefusedException.Conflict("The clock is already paused.");
            }

            if (pauses.Any(p => p.EndsOn >= from))
            {
                throw new ClockChangeRefusedException($"A pause from {from:yyyy-MM-dd} would overlap an earlier pause.");
            }

            var added = new StoredPause { StartsOn = from, Reason = reason, RecordedBy = actor, RecordedAt = time.GetUtcNow() };
            return (clock, [.. pauses, added]);
        }, cancellationToken);
    }

    /// <summary>UK GDPR Art 12A(5): the answer arrived on <paramref name="on"/>; that day does not count either.</summary>
    public Task<ClockState> ResumeAsync(long caseId, DateOnly on, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(transaction, caseId, actor, "resumed", new { on }, (clock, pauses) =>
        {
            var open = pauses.SingleOrDefault(p => p.EndsOn is null)
                ?? throw ClockChangeRefusedException.Conflict("The clock is not paused.");
            if (on < open.StartsOn)
            {
                throw new ClockChangeRefusedException($"The answer cannot arrive on {on:yyyy-MM-dd}, before clarification was asked on {open.StartsOn:yyyy-MM-dd}.");
            }

            var closed = open with { EndsOn = on, EndedBy = actor, EndedAt = time.GetUtcNow() };
            return (clock, pauses.Select(p => p.Id == open.Id ? closed : p).ToList());
        }, cancellationToken);

    /// <summary>
    /// UK GDPR Art 12(3): extends by two further months for a complex request or several requests. The requester must be
    /// told with reasons within the first month, so an extension after the unextended due date is refused.
    /// </summary>
    public Task<ClockState> ExtendAsync(long caseId, string reason, string actor, DateTimeOffset? notifiedAt = null, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ClockChangeRefusedException("An extension needs a reason (UK GDPR Art 12(3)).");
        }

        return ChangeAsync(transaction, caseId, actor, "extended", new { reason }, (clock, pauses) =>
        {
            if (clock.Extended)
            {
                throw ClockChangeRefusedException.Conflict("The case is already extended.");
            }

            var today = LondonTime.Today(time);
            if (today > clock.NoticeBy)
            {
                throw new ClockChangeRefusedException($"The extension notice was due by {clock.NoticeBy:yyyy-MM-dd}; it is too late to extend (UK GDPR Art 12(3)).");
            }

            var now = time.GetUtcNow();
            return (clock with { Extended = true, ExtensionReason = reason, ExtendedBy = actor, ExtendedAt = now, ExtensionNotifiedAt = notifiedAt }, pauses);
        }, cancellationToken);
    }

    /// <summary>Records when the extension notice went to the requester (the mail job calls this once it is sent).</summary>
    public Task<ClockState> RecordExtensionNotifiedAsync(long caseId, DateTimeOffset notifiedAt, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(transaction, caseId, actor, "extension-notified", new { notifiedAt }, (clock, pauses) =>
            clock.Extended ? (clock with { ExtensionNotifiedAt = notifiedAt }, pauses) : throw ClockChangeRefusedException.Conflict("The case is not extended."), cancellationToken);

    public Task<ClockState> CloseAsync(long caseId, string actor, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(transaction, caseId, actor, "closed", new { }, (clock, pauses) => (clock with { IsOpen = false }, pauses), cancellationToken);

    public async Task<ClockState?> GetAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return await LoadAsync(transaction, caseId, forUpdate: false, cancellationToken);
    }

    /// <summary>A case's dates, read inside the caller's transaction (null when it has no clock).</summary>
    public static async Task<CaseDates?> DatesAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await transaction.Connection!.QuerySingleOrDefaultAsync<CaseDates>(new CommandDefinition(
            $"SELECT {CaseDeadlineSql.DatesColumns} FROM case_clocks k WHERE k.case_id = @caseId",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ClockHistoryEntry>> HistoryAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClockHistoryEntry>(new CommandDefinition(
            """
            SELECT id, changed_at, changed_by, change, detail::text AS detail, clock_start, paused_days, due_on, effective_due_on
            FROM case_clock_history WHERE case_id = @caseId ORDER BY id
            """,
            new { caseId },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Running clocks due from today up to <paramref name="workingDays"/> working days ahead, soonest first.</summary>
    public async Task<IReadOnlyList<DueClock>> DueWithinAsync(int workingDays, int limit = 500, CancellationToken cancellationToken = default)
    {
        var today = LondonTime.Today(time);
        var until = CaseDates.LastDueDateWithin(workingDays, today, calculator);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DueClock>(new CommandDefinition(DueWithinSql, new { today, until, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The query behind <see cref="DueWithinAsync"/>, for benchmarks and plan checks.</summary>
    public const string DueWithinSql =
        $"""
        SELECT {CaseDeadlineSql.DatesColumns}, c.reference
        FROM case_clocks k JOIN cases c ON c.id = k.case_id
        WHERE k.is_open AND NOT k.is_paused AND k.effective_due_on BETWEEN @today AND @until
        ORDER BY k.effective_due_on, k.case_id
        LIMIT @limit
        """;

    public async Task<IReadOnlyList<DueClock>> OverdueAsync(int limit = 500, CancellationToken cancellationToken = default)
    {
        var today = LondonTime.Today(time);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DueClock>(new CommandDefinition(
            $"""
            SELECT {CaseDeadlineSql.DatesColumns}, c.reference
            FROM case_clocks k JOIN cases c ON c.id = k.case_id
            WHERE {CaseDeadlineSql.Overdue}
            ORDER BY k.effective_due_on, k.case_id
            LIMIT @limit
            """,
            new { today, limit },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<DueClock>> PausedAsync(int limit = 500, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DueClock>(new CommandDefinition(
            $"""
            SELECT {CaseDeadlineSql.DatesColumns}, c.reference
            FROM case_clocks k JOIN cases c ON c.id = k.case_id
            WHERE k.is_open AND k.is_paused
            ORDER BY k.effective_due_on, k.case_id
            LIMIT @limit
            """,
            new { limit },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Recalculates every open clock with the current bank-holiday data (government can add a one-off holiday), in one
    /// transaction: either every open case has the new dates, or none has. Changed clocks get a history row.
    /// </summary>
    public async Task<RecalculationResult> RecalculateOpenAsync(string actor, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Lock the open clocks so no change slips between reading and writing.
        var inputs = new Dictionary<long, (ClockInput Input, bool Extended, DateOnly Due, DateOnly NoticeBy, DateOnly ExtendedDue, int PausedDays, bool IsPaused)>();
        await using (var read = new NpgsqlCommand(
            """
            SELECT case_id, received_on, id_received_on, fee_paid_on, extended, due_on, notice_by, extended_due_on, paused_days, is_paused
            FROM case_clocks WHERE is_open FOR UPDATE
            """,
            connection,
            transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var input = new ClockInput
                {
                    ReceivedOn = reader.GetFieldValue<DateOnly>(1),
                    IdReceivedOn = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2),
                    FeePaidOn = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3),
                };
                inputs[reader.GetInt64(0)] = (input, reader.GetBoolean(4), reader.GetFieldValue<DateOnly>(5), reader.GetFieldValue<DateOnly>(6), reader.GetFieldValue<DateOnly>(7), reader.GetInt32(8), reader.GetBoolean(9));
            }
        }

        var pauses = new Dictionary<long, List<ClockPause>>();
        await using (var read = new NpgsqlCommand(
            "SELECT p.case_id, p.starts_on, p.ends_on FROM case_clock_pauses p JOIN case_clocks k ON k.case_id = p.case_id WHERE k.is_open",
            connection,
            transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var caseId = reader.GetInt64(0);
                if (!pauses.TryGetValue(caseId, out var list))
                {
                    pauses[caseId] = list = [];
                }

                list.Add(new ClockPause(reader.GetFieldValue<DateOnly>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2)));
            }
        }

        var changed = new List<(long CaseId, Deadline Deadline, bool Extended)>();
        var done = 0;
        foreach (var (caseId, stored) in inputs)
        {
            var input = pauses.TryGetValue(caseId, out var list) ? stored.Input with { Pauses = list } : stored.Input;
            var deadline = calculator.Calculate(input);
            if (deadline.Due != stored.Due || deadline.ExtensionNoticeBy != stored.NoticeBy || deadline.ExtendedDue != stored.ExtendedDue
                || deadline.PausedDays != stored.PausedDays || deadline.IsPaused != stored.IsPaused)
            {
                changed.Add((caseId, deadline, stored.Extended));
            }

            if (++done % 10_000 == 0)
            {
                progress?.Report(done);
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TEMP TABLE recalculated (case_id bigint, clock_start date, paused_days int, is_paused boolean, due_on date,
                                            notice_by date, extended_due_on date, effective_due_on date) ON COMMIT DROP
            """,
            transaction: transaction,
            cancellationToken: cancellationToken));
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY recalculated (case_id, clock_start, paused_days, is_paused, due_on, notice_by, extended_due_on, effective_due_on) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var (caseId, d, extended) in changed)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(caseId, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(d.ClockStart, NpgsqlDbType.Date, cancellationToken);
                await importer.WriteAsync(d.PausedDays, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(d.IsPaused, NpgsqlDbType.Boolean, cancellationToken);
                await importer.WriteAsync(d.Due, NpgsqlDbType.Date, cancellationToken);
                await importer.WriteAsync(d.ExtensionNoticeBy, NpgsqlDbType.Date, cancellationToken);
                await importer.WriteAsync(d.ExtendedDue, NpgsqlDbType.Date, cancellationToken);
                await importer.WriteAsync(extended ? d.ExtendedDue : d.Due, NpgsqlDbType.Date, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE case_clocks k SET clock_start = r.clock_start, paused_days = r.paused_days, is_paused = r.is_paused,
                   due_on = r.due_on, notice_by = r.notice_by, extended_due_on = r.extended_due_on,
                   effective_due_on = r.effective_due_on, version = k.version + 1, updated_at = @now
            FROM recalculated r WHERE k.case_id = r.case_id;

            INSERT INTO case_clock_history (case_id, changed_at, changed_by, change, detail, clock_start, paused_days, due_on, effective_due_on)
            SELECT case_id, @now, @actor, 'recalculated', jsonb_build_object('reason', 'bank-holiday data changed', 'calendar', @fingerprint::text),
                   clock_start, paused_days, due_on, effective_due_on
            FROM recalculated;
            """,
            new { now, actor, fingerprint = calculator.Calendar.Fingerprint },
            transaction,
            cancellationToken: cancellationToken));
        await RecordCalendarAsync(transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        progress?.Report(done);
        Log.Recalculated(logger, inputs.Count, changed.Count, stopwatch.ElapsedMilliseconds);
        return new RecalculationResult(inputs.Count, changed.Count, stopwatch.Elapsed);
    }

    /// <summary>The fingerprint of the bank-holiday data the stored dates were calculated with, or null before the first run.</summary>
    public async Task<string?> StoredCalendarFingerprintAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT fingerprint FROM deadline_calendar", cancellationToken: cancellationToken));
    }

    private async Task RecordCalendarAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO deadline_calendar (id, fingerprint, first_year, last_year, applied_at) VALUES (true, @fingerprint, @first, @last, @now)
            ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, first_year = excluded.first_year,
                                           last_year = excluded.last_year, applied_at = excluded.applied_at
            """,
            new { fingerprint = calculator.Calendar.Fingerprint, first = calculator.Calendar.FirstYear, last = calculator.Calendar.LastYear, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));

    private async Task<ClockState> ChangeAsync(
        NpgsqlTransaction? transaction,
        long caseId,
        string actor,
        string change,
        object detail,
        Func<ClockState, IReadOnlyList<StoredPause>, (ClockState Clock, IReadOnlyList<StoredPause> Pauses)> apply,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (transaction is not null)
        {
            return await ChangeInAsync(transaction, caseId, actor, change, detail, apply, cancellationToken);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var own = await connection.BeginTransactionAsync(cancellationToken);
        var result = await ChangeInAsync(own, caseId, actor, change, detail, apply, cancellationToken);
        await own.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<ClockState> ChangeInAsync(
        NpgsqlTransaction transaction,
        long caseId,
        string actor,
        string change,
        object detail,
        Func<ClockState, IReadOnlyList<StoredPause>, (ClockState Clock, IReadOnlyList<StoredPause> Pauses)> apply,
        CancellationToken cancellationToken)
    {
        var current = await LoadAsync(transaction, caseId, forUpdate: true, cancellationToken)
            ?? throw new ClockChangeRefusedException($"Case {caseId} has no clock.");
        if (!current.IsOpen)
        {
            throw ClockChangeRefusedException.Conflict("The case is closed; its clock cannot change.");
        }

        var (next, pauses) = apply(current, current.Pauses);
        Deadline deadline;
        try
        {
            deadline = calculator.Calculate(new ClockInput
            {
                ReceivedOn = next.ReceivedOn,
                IdReceivedOn = next.IdReceivedOn,
                FeePaidOn = next.FeePaidOn,
                Pauses = pauses.Select(p => new ClockPause(p.StartsOn, p.EndsOn)).ToList(),
            });
        }
        catch (InvalidClockException ex)
        {
            throw new ClockChangeRefusedException(ex.Message, ex);
        }

        var connection = transaction.Connection!;
        foreach (var pause in pauses)
        {
            if (pause.Id == 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO case_clock_pauses (case_id, starts_on, reason, recorded_by, recorded_at) VALUES (@caseId, @StartsOn, @Reason, @RecordedBy, @RecordedAt)",
                    new { caseId, pause.StartsOn, pause.Reason, pause.RecordedBy, pause.RecordedAt },
                    transaction,
                    cancellationToken: cancellationToken));
            }
            else if (current.Pauses.Single(p => p.Id == pause.Id) != pause)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE case_clock_pauses SET ends_on = @EndsOn, ended_by = @EndedBy, ended_at = @EndedAt WHERE id = @Id",
                    new { pause.EndsOn, pause.EndedBy, pause.EndedAt, pause.Id },
                    transaction,
                    cancellationToken: cancellationToken));
            }
        }

        var effective = next.Extended ? deadline.ExtendedDue : deadline.Due;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE case_clocks SET id_received_on = @IdReceivedOn, fee_paid_on = @FeePaidOn, clock_start = @clockStart,
                   paused_days = @pausedDays, is_paused = @isPaused, due_on = @due, notice_by = @noticeBy,
                   extended_due_on = @extendedDue, extended = @Extended, extension_reason = @ExtensionReason,
                   extended_by = @ExtendedBy, extended_at = @ExtendedAt, extension_notified_at = @ExtensionNotifiedAt,
                   effective_due_on = @effective, is_open = @IsOpen, version = version + 1, updated_at = @now
            WHERE case_id = @CaseId
            """,
            new
            {
                next.IdReceivedOn,
                next.FeePaidOn,
                clockStart = deadline.ClockStart,
                pausedDays = deadline.PausedDays,
                isPaused = deadline.IsPaused,
                due = deadline.Due,
                noticeBy = deadline.ExtensionNoticeBy,
                extendedDue = deadline.ExtendedDue,
                next.Extended,
                next.ExtensionReason,
                next.ExtendedBy,
                next.ExtendedAt,
                next.ExtensionNotifiedAt,
                effective,
                next.IsOpen,
                now = time.GetUtcNow(),
                next.CaseId,
            },
            transaction,
            cancellationToken: cancellationToken));
        await AppendHistoryAsync(transaction, caseId, actor, change, detail, deadline, effective, cancellationToken);
        Log.Changed(logger, caseId, change);
        return (await LoadAsync(transaction, caseId, forUpdate: false, cancellationToken))!;
    }

    private async Task AppendHistoryAsync(NpgsqlTransaction transaction, long caseId, string actor, string change, object detail, Deadline deadline, DateOnly effective, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO case_clock_history (case_id, changed_at, changed_by, change, detail, clock_start, paused_days, due_on, effective_due_on)
            VALUES (@caseId, @now, @actor, @change, @detail::jsonb, @clockStart, @pausedDays, @due, @effective)
            """,
            new
            {
                caseId,
                now = time.GetUtcNow(),
                actor,
                change,
                detail = JsonSerializer.Serialize(detail),
                clockStart = deadline.ClockStart,
                pausedDays = deadline.PausedDays,
                due = deadline.Due,
                effective,
            },
            transaction,
            cancellationToken: cancellationToken));

    private static async Task<ClockState?> LoadAsync(NpgsqlTransaction transaction, long caseId, bool forUpdate, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var clock = await connection.QuerySingleOrDefaultAsync<ClockState>(new CommandDefinition(
            $"SELECT {ClockColumns} FROM case_clocks WHERE case_id = @caseId{(forUpdate ? " FOR UPDATE" : string.Empty)}",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        if (clock is null)
        {
            return null;
        }

        var pauses = await connection.QueryAsync<StoredPause>(new CommandDefinition(
            "SELECT id, starts_on, ends_on, reason, recorded_by, recorded_at, ended_by, ended_at FROM case_clock_pauses WHERE case_id = @caseId ORDER BY starts_on",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        return clock with { Pauses = pauses.AsList() };
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "Clock of case {CaseId}: {Change}")]
        public static partial void Changed(ILogger logger, long caseId, string change);

        [LoggerMessage(21, LogLevel.Information, "Recalculated {OpenCases} open clocks, {Changed} changed, in {ElapsedMs} ms")]
        public static partial void Recalculated(ILogger logger, int openCases, int changed, long elapsedMs);
    }
}
