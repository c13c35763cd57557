using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Cases;

/// <summary>A case as the queues and the case page list it: its row, its dates (the one read model) and its parties.</summary>
public sealed record CaseSummary : CaseDates
{
    public long Id { get; init; }
    public string Reference { get; init; } = "";
    public string RightCode { get; init; } = "";
    public string Status { get; init; } = "";
    public string Channel { get; init; } = "";
    public string? AssignedTo { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the case was closed (answered, withdrawn, closed for want of ID); null while open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }
    public string? RequesterName { get; init; }
    public string? SubjectName { get; init; }
    public string? Relationship { get; init; }
    public string? RequesterEmail { get; init; }
    public string? WorkflowState { get; init; }
    public string? WorkflowId { get; init; }
    public string? WorkflowVersion { get; init; }
    public string? WorkflowStatus { get; init; }

    /// <summary>case_requests.sealed_parties as read; <see cref="CaseQueries"/> opens it into the names above (issue 9 Build 6).</summary>
    internal byte[]? SealedParties { get; init; }

    public string RightName => Rights.TryParseId(RightCode, out var right) ? right.Id() : RightCode;
}

/// <summary>Filters for the queue; null means "any".</summary>
public sealed record CaseFilter
{
    public string? Right { get; init; }
    public string? AssignedTo { get; init; }
    public bool Unassigned { get; init; }
    public bool OverdueOnly { get; init; }
    public bool PausedOnly { get; init; }
    public string? Stage { get; init; }
    public DateOnly Today { get; init; }
    public int Limit { get; init; } = 50;

    /// <summary>False when only the rows are wanted (the total is then -1).</summary>
    public bool CountTotal { get; init; } = true;
    public int Offset { get; init; }
}

public sealed record BacklogBand(string Band, int MinDays, int? MaxDays, int Count);

/// <summary>The DPO's backlog: age bands, totals (open, overdue, due by the end of the week, paused) and workload.</summary>
public sealed record Backlog(IReadOnlyList<BacklogBand> Bands, (int Open, int Overdue, int DueThisWeek, int Paused) Totals, IReadOnlyList<WorkloadRow> Workload);

public sealed record WorkloadRow
{
    public string Officer { get; init; } = "";
    public int Open { get; init; }
    public int Overdue { get; init; }
}

public sealed record CaseNote
{
    public long Id { get; init; }
    public string Author { get; init; } = "";
    public string Body { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Read queries behind the queue, the case page, the DPO backlog and the API. Every list is driven by an index. The
/// requester's and subject's names and the requester's address are sealed at rest (issue 9 Build 6, migration 0083) and
/// opened here, so the pages see them as before; no query filters or sorts on them.
/// </summary>
public sealed class CaseQueries(NpgsqlDataSource dataSource, IPersonalDataCipher cipher)
{
    private const string SummarySelect =
        $"""
        SELECT c.id, c.reference, c.right_code, c.status, c.channel, c.assigned_to, c.created_at, c.closed_at, {CaseDeadlineSql.DatesColumns},
               p.sealed_parties, p.relationship,
               w.state AS workflow_state, w.definition_id AS workflow_id, w.definition_version AS workflow_version, w.status AS workflow_status
        FROM case_clocks k
        JOIN cases c ON c.id = k.case_id
        LEFT JOIN case_requests p ON p.case_id = c.id
        LEFT JOIN LATERAL (SELECT state, definition_id, definition_version, status FROM workflow_instances i WHERE i.case_id = c.id ORDER BY i.id DESC LIMIT 1) w ON true
        """;

    public async Task<(IReadOnlyList<CaseSummary> Cases, int Total)> OpenCasesAsync(CaseFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        const string where =
            $"""
            WHERE k.is_open AND c.status = 'open'
              AND (@right::text IS NULL OR c.right_code = @right)
              AND (@assignedTo::text IS NULL OR c.assigned_to = @assignedTo)
              AND (NOT @unassigned OR c.assigned_to IS NULL)
              AND (NOT @overdueOnly OR {CaseDeadlineSql.Overdue})
              AND (NOT @pausedOnly OR k.is_paused)
              AND (@stage::text IS NULL OR EXISTS (SELECT 1 FROM workflow_instances i WHERE i.case_id = c.id AND i.status = 'running' AND i.state = @stage))
            """;
        var parameters = new
        {
            right = filter.Right,
            assignedTo = filter.AssignedTo,
            unassigned = filter.Unassigned,
            overdueOnly = filter.OverdueOnly,
            pausedOnly = filter.PausedOnly,
            stage = filter.Stage,
            today = filter.Today,
            limit = filter.Limit,
            offset = filter.Offset,
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var cases = await connection.QueryAsync<CaseSummary>(new CommandDefinition(
            $"{SummarySelect} {where} ORDER BY k.effective_due_on, k.case_id LIMIT @limit OFFSET @offset", parameters, cancellationToken: cancellationToken));
        // The count reads the open-case indexes of migration 0112 (merge-joined, index-only); the backlog's list of the
        // oldest needs none. "c.status = 'open'" says the same as "k.is_open" (a case and its clock close in one
        // transaction) and lets the planner use the partial index on cases.
        var total = filter.CountTotal
            ? await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                $"SELECT count(*) FROM case_clocks k JOIN cases c ON c.id = k.case_id {where}", parameters, cancellationToken: cancellationToken))
            : -1;
        return (cases.Select(Open).ToList(), total);
    }

    /// <summary>The stages (workflow states) open cases are in, for the queue's filter.</summary>
    public async Task<IReadOnlyList<string>> OpenStagesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            // A skip scan of the running-state index (migration 0112): one probe per distinct stage, not one row per case.
            """
            WITH RECURSIVE s AS (
                (SELECT state FROM workflow_instances WHERE status = 'running' ORDER BY state LIMIT 1)
                UNION ALL
                SELECT (SELECT i.state FROM workflow_instances i WHERE i.status = 'running' AND i.state > s.state ORDER BY i.state LIMIT 1)
                FROM s WHERE s.state IS NOT NULL)
            SELECT state FROM s WHERE state IS NOT NULL
            """,
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<CaseSummary?> FindAsync(string reference, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.QuerySingleOrDefaultAsync<CaseSummary>(new CommandDefinition(
            $"{SummarySelect} WHERE c.reference = @reference", new { reference }, cancellationToken: cancellationToken));
        return found is null ? null : Open(found);
    }

    /// <summary>The cases of a page of tasks, by id, for the task queue's columns (one query).</summary>
    public async Task<IReadOnlyDictionary<long, CaseSummary>> SummariesAsync(IEnumerable<long> caseIds, CancellationToken cancellationToken = default)
    {
        var ids = caseIds.Distinct().ToArray();
        if (ids.Length == 0)
        {
            return new Dictionary<long, CaseSummary>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.QueryAsync<CaseSummary>(new CommandDefinition(
            $"{SummarySelect} WHERE c.id = ANY(@ids)", new { ids }, cancellationToken: cancellationToken));
        return found.Select(Open).ToDictionary(c => c.Id);
    }

    /// <summary>
    /// The backlog in one round trip: open cases by age since receipt (the shape the ICO asked councils with backlogs to
    /// report), the totals, and who holds what. Both statements read only the open-case indexes of migration 0112.
    /// </summary>
    public async Task<Backlog> BacklogAsync(DateOnly today, DateOnly endOfWeek, CancellationToken cancellationToken = default)
    {
        (string Band, int Min, int? Max)[] bands =
        [
            ("0 to 7 days", 0, 7), ("8 to 14 days", 8, 14), ("15 to 21 days", 15, 21), ("22 to 28 days", 22, 28),
            ("29 days to 3 months", 29, 91), ("Over 3 months", 92, null),
        ];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT (@today - received_on) AS age, count(*)::int FROM case_clocks k WHERE k.is_open GROUP BY 1;
            SELECT coalesce(c.assigned_to, 'Unassigned') AS officer, count(*)::int AS open,
                   count(*) FILTER (WHERE NOT k.is_paused AND k.effective_due_on < @today)::int AS overdue,
                   count(*) FILTER (WHERE NOT k.is_paused AND k.effective_due_on BETWEEN @today AND @endOfWeek)::int AS due_this_week,
                   count(*) FILTER (WHERE k.is_paused)::int AS paused
            FROM case_clocks k JOIN cases c ON c.id = k.case_id
            WHERE k.is_open AND c.status = 'open' GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1;
            """,
            new { today, endOfWeek },
            cancellationToken: cancellationToken));
        var ages = (await results.ReadAsync<(int Age, int Count)>()).AsList();
        var rows = (await results.ReadAsync<(string Officer, int Open, int Overdue, int DueThisWeek, int Paused)>()).AsList();
        return new Backlog(
            bands.Select(b => new BacklogBand(b.Band, b.Min, b.Max, ages.Where(a => a.Age >= b.Min && (b.Max is null || a.Age <= b.Max)).Sum(a => a.Count))).ToList(),
            (rows.Sum(r => r.Open), rows.Sum(r => r.Overdue), rows.Sum(r => r.DueThisWeek), rows.Sum(r => r.Paused)),
            rows.Select(r => new WorkloadRow { Officer = r.Officer, Open = r.Open, Overdue = r.Overdue }).ToList());
    }

    private CaseSummary Open(CaseSummary summary)
    {
        if (summary.SealedParties is null)
        {
            return summary;
        }

        var parties = CaseRequestParties.Open(cipher, summary.Id, summary.SealedParties);
        return summary with
        {
            RequesterName = parties.RequesterName,
            RequesterEmail = parties.RequesterEmail,
            SubjectName = parties.SubjectName,
            SealedParties = null,
        };
    }

    public async Task<IReadOnlyList<CaseNote>> NotesAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CaseNote>(new CommandDefinition(
            "SELECT id, author, body, created_at FROM case_notes WHERE case_id = @caseId ORDER BY id", new { caseId }, cancellationToken: cancellationToken))).AsList();
    }
}
