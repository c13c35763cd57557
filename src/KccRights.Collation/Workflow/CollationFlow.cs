using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Collation.Store;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Collation.Workflow;

/// <summary>
/// Where collation stands on a case, and moving the case on when it is finished: the access workflow's <c>collation</c>
/// state waits until every system in scope is done (by its connector) or searched (by hand), then <c>collated</c> is
/// raised on it. Every change of a case's progress takes the case's progress rows in one lock order first, so two
/// systems finishing at once cannot both miss that they were the last.
/// </summary>
public static class CollationFlow
{
    /// <summary>The event that moves a case from <c>collation</c> to the disclosure review.</summary>
    public const string CollatedEvent = "collated";

    /// <summary>The state that waits for collation.</summary>
    public const string WaitingState = "collation";

    private static readonly string[] Finished = ["done", "searched"];

    /// <summary>Locks the case's progress rows (ordered by system) for the rest of the transaction.</summary>
    public static Task LockAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM collation_runs WHERE case_id = @caseId ORDER BY system FOR UPDATE",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>Records a system's progress (status, items, error, attempts, manual task, who searched by hand).</summary>
    public static Task SetAsync(NpgsqlTransaction transaction, long caseId, string system, string status, int items, string? error, DateTimeOffset at, CancellationToken cancellationToken, int? attempts = null, long? manualTaskId = null, string? searchedBy = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO collation_runs (case_id, system, status, items, last_error, updated_at, attempts, manual_task_id, searched_by)
            VALUES (@caseId, @system, @status, @items, @error, @at, coalesce(@attempts, 0), @manualTaskId, @searchedBy)
            ON CONFLICT (case_id, system) DO UPDATE
               SET status = EXCLUDED.status, items = EXCLUDED.items, last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at,
                   attempts = coalesce(@attempts, collation_runs.attempts),
                   manual_task_id = coalesce(@manualTaskId, collation_runs.manual_task_id),
                   searched_by = coalesce(@searchedBy, collation_runs.searched_by)
            """,
            new { caseId, system, status, items, error, at, attempts, manualTaskId, searchedBy },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Shows a system as running (or retrying, with the last error) at once, outside the job's transaction, so the case
    /// page shows it while the job fetches. Best effort: the job's own commit records the result.
    /// </summary>
    public static async Task ShowRunningAsync(NpgsqlDataSource dataSource, long caseId, string system, int attempt, string? lastError, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE collation_runs SET status = 'running', attempts = @attempt, last_error = coalesce(@lastError, last_error), updated_at = @at
            WHERE case_id = @caseId AND system = @system AND status IN ('queued', 'running')
            """,
            new { caseId, system, attempt, lastError, at },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// When every system of the case is done or searched and the case waits in <c>collation</c>, raises
    /// <c>collated</c> on it (in the caller's transaction, after <see cref="LockAsync"/>). Returns whether it did.
    /// </summary>
    public static async Task<bool> MoveOnWhenFinishedAsync(NpgsqlTransaction transaction, IWorkflowEngine engine, long caseId, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var (open, waiting) = await transaction.Connection!.QuerySingleAsync<(int Open, bool Waiting)>(new CommandDefinition(
            """
            SELECT (SELECT count(*)::int FROM collation_runs WHERE case_id = @caseId AND NOT (status = ANY (@finished))) AS open,
                   EXISTS (SELECT 1 FROM workflow_instances WHERE case_id = @caseId AND status = 'running' AND state = @state) AS waiting
            """,
            new { caseId, finished = Finished, state = WaitingState },
            transaction,
            cancellationToken: cancellationToken));
        if (open > 0 || !waiting)
        {
            return false;
        }

        ArgumentNullException.ThrowIfNull(engine);
        return await engine.RaiseAsync(transaction, caseId, CollatedEvent, null, actor, cancellationToken);
    }

    /// <summary>
    /// Records the agreed scope from what the officer entered when confirming the identities (the instance data's
    /// <c>scopeFrom</c> and <c>scopeTo</c>) and the systems to be searched; returns it.
    /// </summary>
    public static async Task<CollationScope> AgreeScopeAsync(NpgsqlTransaction transaction, long caseId, IReadOnlyList<string> systems, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var (data, agreedBy) = await connection.QuerySingleOrDefaultAsync<(string? Data, string? AgreedBy)>(new CommandDefinition(
            """
            SELECT (SELECT data::text FROM workflow_instances WHERE case_id = @caseId AND status = 'running' ORDER BY id DESC LIMIT 1) AS data,
                   (SELECT completed_by FROM workflow_tasks WHERE case_id = @caseId AND type = @type AND status = 'completed' ORDER BY completed_at DESC, id DESC LIMIT 1) AS agreed_by
            """,
            new { caseId, type = CollationTaskTypes.ConfirmIdentities },
            transaction,
            cancellationToken: cancellationToken));
        DateOnly? from = null, to = null;
        if (data is not null)
        {
            using var document = JsonDocument.Parse(data);
            from = DateField(document.RootElement, "scopeFrom");
            to = DateField(document.RootElement, "scopeTo");
        }

        var scope = new CollationScope(systems, from, to, agreedBy ?? "officer", at);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO collation_scopes (case_id, systems, date_from, date_to, agreed_by, agreed_at)
            VALUES (@caseId, @systems, @from, @to, @agreedBy, @at)
            ON CONFLICT (case_id) DO UPDATE SET systems = EXCLUDED.systems, date_from = EXCLUDED.date_from, date_to = EXCLUDED.date_to,
                                                agreed_by = EXCLUDED.agreed_by, agreed_at = EXCLUDED.agreed_at
            """,
            new { caseId, systems = systems.ToArray(), from = from?.ToDateTime(TimeOnly.MinValue), to = to?.ToDateTime(TimeOnly.MinValue), agreedBy = scope.AgreedBy, at },
            transaction,
            cancellationToken: cancellationToken));
        return scope;
    }

    /// <summary>The case's agreed scope, or null before collation started.</summary>
    public static async Task<CollationScope?> ScopeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var row = await connection.QuerySingleOrDefaultAsync<(string[] Systems, DateTime? From, DateTime? To, string AgreedBy, DateTime AgreedAt)?>(new CommandDefinition(
            "SELECT systems, date_from, date_to, agreed_by, agreed_at FROM collation_scopes WHERE case_id = @caseId",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        return row is { } r
            ? new CollationScope(r.Systems, r.From is { } f ? DateOnly.FromDateTime(f) : null, r.To is { } t ? DateOnly.FromDateTime(t) : null, r.AgreedBy, new DateTimeOffset(DateTime.SpecifyKind(r.AgreedAt, DateTimeKind.Utc)))
            : null;
    }

    /// <summary>Parses a date an officer typed (2024-09-01, 1/9/2024, 1 9 2024); null when empty or not a date.</summary>
    public static DateOnly? ParseDate(string? text)
    {
        string[] formats = ["yyyy-MM-dd", "d/M/yyyy", "d M yyyy", "d-M-yyyy", "d.M.yyyy"];
        return DateOnly.TryParseExact(text?.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    private static DateOnly? DateField(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? ParseDate(value.GetString()) : null;
}
