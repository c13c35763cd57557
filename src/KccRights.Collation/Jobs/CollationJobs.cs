using System.Text.Json;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;

namespace KccRights.Collation.Jobs;

/// <summary>
/// <c>collate-records</c>: fans out one <c>collate-system</c> job per system with a confirmed identity (and per document
/// folder, searched by every confirmed identity's identifiers), in the same transaction, each with a dedupe key so a
/// retried fan-out never queues a system twice. The systems then run in parallel on the workers.
/// </summary>
public sealed partial class CollateRecordsHandler(SourceConnectors connectors, IJobQueue queue, ILogger<CollateRecordsHandler> logger) : IJobHandler
{
    public const string JobKind = "collate-records";

    public string Kind => JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a case");
        var identities = await CollationStore.ConfirmedAsync(context.Transaction.Connection!, context.Transaction, caseId, cancellationToken);
        var systems = connectors.Options.Systems
            .Where(s => s.Kind == SourceKinds.Folder ? identities.Count > 0 : identities.Any(i => i.System == s.Id))
            .Select(s => s.Id)
            .ToList();
        var now = context.Time.GetUtcNow();
        foreach (var system in systems)
        {
            await CollationStore.SetProgressAsync(context.Transaction, caseId, system, "queued", 0, null, now, cancellationToken);
            await queue.EnqueueAsync(context.Transaction, CollateSystemHandler.JobKind, new { system }, caseId, dedupeKey: $"{caseId}:{system}:{context.JobId}", cancellationToken: cancellationToken);
        }

        Log.FannedOut(logger, caseId, systems.Count);
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1110, LogLevel.Information, "Case {CaseId}: collation queued for {Systems} systems")]
        public static partial void FannedOut(ILogger logger, long caseId, int systems);
    }
}

/// <summary>
/// <c>collate-system</c>: fetches one system's records for the case's confirmed identities and stores them (replacing
/// that system's earlier result, so a re-run or a retry after a crash never duplicates). A failure throws: the runtime
/// retries with backoff and opens an incident when the attempts run out.
/// </summary>
public sealed partial class CollateSystemHandler(SourceConnectors connectors, CollationStore store, ILogger<CollateSystemHandler> logger) : IJobHandler
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
        var connector = connectors.Get(system);
        var confirmed = await CollationStore.ConfirmedAsync(context.Transaction.Connection!, context.Transaction, caseId, cancellationToken);
        var identities = confirmed
            .Where(i => connector.System.Kind == SourceKinds.Folder || i.System == system)
            .Select(i => new ConfirmedIdentity(connector.System.Kind == SourceKinds.Folder ? system : i.System, i.PersonId, i.Identifiers.Append(i.PersonId).Distinct(StringComparer.Ordinal).ToList()))
            .ToList();
        var started = context.Time.GetUtcNow();
        Log.Started(logger, caseId, system, identities.Count, context.Attempt);
        var records = await connector.FetchAsync(identities, cancellationToken);
        var stored = await store.ReplaceSystemAsync(context.Transaction, caseId, system, records, started, cancellationToken);
        await CollationStore.SetProgressAsync(context.Transaction, caseId, system, "done", stored, null, context.Time.GetUtcNow(), cancellationToken);
        Log.Done(logger, caseId, system, records.Count, stored);
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1111, LogLevel.Information, "Case {CaseId}: collating {System} for {Identities} identities (attempt {Attempt})")]
        public static partial void Started(ILogger logger, long caseId, string system, int identities, int attempt);

        [LoggerMessage(1112, LogLevel.Information, "Case {CaseId}: {System} gave {Records} records, {Stored} sources stored")]
        public static partial void Done(ILogger logger, long caseId, string system, int records, int stored);
    }
}
