using System.Text.Json;
using Dapper;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Collation.Jobs;

/// <summary>
/// <c>collate-records</c> (the access workflow's <c>collection-start</c> state): records the agreed scope, then fans out
/// one <c>collate-system</c> job per system with a confirmed identity, per document folder (searched by every confirmed
/// identity's identifiers) and per system that could not be searched for the subject (it becomes a manual search), in
/// the same transaction, each with a dedupe key so a retried fan-out never queues a system twice. The systems then run
/// in parallel on the workers. With nothing to collate the case moves straight on (<c>collated</c>).
/// </summary>
public sealed partial class CollateRecordsHandler(SourceConnectors connectors, IJobQueue queue, ILogger<CollateRecordsHandler> logger) : IJobHandler
{
    public const string JobKind = "collate-records";

    public string Kind => JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a case");
        var connection = context.Transaction.Connection!;
        var identities = await CollationStore.ConfirmedAsync(connection, context.Transaction, caseId, cancellationToken);
        var notSearched = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT system FROM collation_runs WHERE case_id = @caseId AND status = 'failed'",
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var systems = connectors.Options.Systems
            .Where(s => notSearched.Contains(s.Id) || (s.Kind == SourceKinds.Folder ? identities.Count > 0 : identities.Any(i => i.System == s.Id)))
            .Select(s => s.Id)
            .ToList();
        var now = context.Time.GetUtcNow();
        var scope = await CollationFlow.AgreeScopeAsync(context.Transaction, caseId, connectors.Options.Systems.Select(s => s.Id).ToList(), now, cancellationToken);
        await WorkflowLog.RecordAsync(context, "collation-started", new { systems, identities = identities.Count, scopeFrom = scope.From, scopeTo = scope.To }, cancellationToken);
        foreach (var system in systems)
        {
            await CollationFlow.SetAsync(context.Transaction, caseId, system, "queued", 0, notSearched.Contains(system) ? "could not be searched for the subject" : null, now, cancellationToken, attempts: 0);
            await queue.EnqueueAsync(
                context.Transaction,
                CollateSystemHandler.JobKind,
                new { system, searchFailed = notSearched.Contains(system) },
                caseId,
                dedupeKey: $"{caseId}:{system}:{context.JobId}",
                cancellationToken: cancellationToken);
        }

        Log.FannedOut(logger, caseId, systems.Count);
        return systems.Count == 0 ? CollationFlow.CollatedEvent : null;
    }

    private static partial class Log
    {
        [LoggerMessage(1110, LogLevel.Information, "Case {CaseId}: collation queued for {Systems} systems")]
        public static partial void FannedOut(ILogger logger, long caseId, int systems);
    }
}

/// <summary>
/// <c>collate-system</c>: fetches one system's records for the case's confirmed identities and stores them (replacing
/// that system's earlier result, so a re-run or a retry after a crash never duplicates), keeping out of the review what
/// lies outside the agreed scope. A failure is retried by the runtime with backoff; on the last attempt the handler gives
/// up itself: it opens the incident and a manual search for the system's record-owner team, in one transaction, so a
/// system that keeps failing is never a silent gap. A system that could not even be searched for the subject goes
/// straight to a manual search. When the last system finishes, the case moves on.
/// </summary>
public sealed partial class CollateSystemHandler(
    SourceConnectors connectors,
    CollationStore store,
    ManualSearches manualSearches,
    IWorkflowEngine engine,
    NpgsqlDataSource dataSource,
    ILogger<CollateSystemHandler> logger) : IJobHandler
{
    public const string JobKind = "collate-system";

    public string Kind => JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a case");
        var system = context.Payload.TryGetProperty("system", out var s) && s.ValueKind == JsonValueKind.String
            ? s.GetString()!
            : throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a system");
        var actor = $"job:{context.JobId}";
        if (context.Payload.TryGetProperty("searchFailed", out var sf) && sf.ValueKind == JsonValueKind.True)
        {
            await GiveUpAsync(context, caseId, system, "the system could not be searched for the subject", incident: true, cancellationToken);
            return null;
        }

        var connection = context.Transaction.Connection!;
        var connector = connectors.Get(system);
        var confirmed = await CollationStore.ConfirmedAsync(connection, context.Transaction, caseId, cancellationToken);
        var identities = confirmed
            .Where(i => connector.System.Kind == SourceKinds.Folder || i.System == system)
            .Select(i => new ConfirmedIdentity(connector.System.Kind == SourceKinds.Folder ? system : i.System, i.PersonId, i.Identifiers.Append(i.PersonId).Distinct(StringComparer.Ordinal).ToList()))
            .ToList();
        var scope = await CollationFlow.ScopeAsync(connection, context.Transaction, caseId, cancellationToken);
        var started = context.Time.GetUtcNow();
        await CollationFlow.ShowRunningAsync(dataSource, caseId, system, context.Attempt, null, started, cancellationToken);
        Log.Started(logger, caseId, system, identities.Count, context.Attempt);
        IReadOnlyList<SourceRecord> records;
        try
        {
            records = await connector.FetchAsync(identities, cancellationToken);
        }
        catch (Exception ex) when (ex is SourceSystemException or HttpRequestException or NpgsqlException or IOException or TimeoutException or JsonException)
        {
            var error = ex is SourceSystemException ? ex.Message : $"{system}: {ex.GetType().Name}";
            Log.Failed(logger, caseId, system, context.Attempt, context.MaxAttempts);
            if (context.Attempt < context.MaxAttempts)
            {
                await CollationFlow.ShowRunningAsync(dataSource, caseId, system, context.Attempt, $"attempt {context.Attempt} failed: {error}", context.Time.GetUtcNow(), CancellationToken.None);
                throw;
            }

            await GiveUpAsync(context, caseId, system, error, incident: true, cancellationToken);
            return null;
        }

        await CollationFlow.LockAsync(context.Transaction, caseId, cancellationToken);
        var manualTask = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT manual_task_id FROM collation_runs WHERE case_id = @caseId AND system = @system AND status = 'manual'",
            new { caseId, system },
            context.Transaction,
            cancellationToken: cancellationToken));
        var stored = await store.ReplaceSystemAsync(context.Transaction, caseId, system, records, started, cancellationToken, scope);
        if (manualTask is { } task && await SideTasks.CancelAsync(context.Transaction, task, context.Time.GetUtcNow(), cancellationToken))
        {
            // A retried incident succeeded: the manual search it stood in for is no longer needed (its uploads are kept).
            await WorkflowLog.RecordAsync(context, "manual-search-cancelled", new { system, taskId = task }, cancellationToken);
        }

        await CollationFlow.SetAsync(context.Transaction, caseId, system, "done", stored, null, context.Time.GetUtcNow(), cancellationToken, attempts: context.Attempt);
        await CollationFlow.MoveOnWhenFinishedAsync(context.Transaction, engine, caseId, actor, cancellationToken);
        Log.Done(logger, caseId, system, records.Count, stored);
        return null;
    }

    private async Task GiveUpAsync(JobContext context, long caseId, string system, string error, bool incident, CancellationToken cancellationToken)
    {
        await CollationFlow.LockAsync(context.Transaction, caseId, cancellationToken);
        if (incident)
        {
            await JobIncidents.OpenAsync(context, $"{system}: failed every attempt ({context.Attempt}); a manual search is open. {error}", cancellationToken);
        }

        await CollationFlow.SetAsync(context.Transaction, caseId, system, "failed", 0, error, context.Time.GetUtcNow(), cancellationToken, attempts: context.Attempt);
        await manualSearches.OpenAsync(context.Transaction, caseId, system, error, $"job:{context.JobId}", cancellationToken);
        await WorkflowLog.RecordAsync(context, "collation-failed", new { system, attempts = context.Attempt, manualSearch = true }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1111, LogLevel.Information, "Case {CaseId}: collating {System} for {Identities} identities (attempt {Attempt})")]
        public static partial void Started(ILogger logger, long caseId, string system, int identities, int attempt);

        [LoggerMessage(1112, LogLevel.Information, "Case {CaseId}: {System} gave {Records} records, {Stored} sources stored")]
        public static partial void Done(ILogger logger, long caseId, string system, int records, int stored);

        [LoggerMessage(1113, LogLevel.Warning, "Case {CaseId}: {System} failed (attempt {Attempt} of {MaxAttempts})")]
        public static partial void Failed(ILogger logger, long caseId, string system, int attempt, int maxAttempts);
    }
}
