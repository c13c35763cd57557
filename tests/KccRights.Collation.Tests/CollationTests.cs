using System.Text.Json;
using Dapper;
using KccRights.Collation.Jobs;
using KccRights.Collation.Store;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Collation.Tests;

public class CollationTests
{
    private static long _nextCase = 9_000;

    [Test]
    public async Task CollateRecords_QueuesOneJobPerSystemWithAConfirmedIdentity_AndTheDocumentFolder()
    {
        var demo = await DemoSystems.GetAsync();
        var caseId = Interlocked.Increment(ref _nextCase);
        var store = new CollationStore(demo.DataSource, new TestCipher());
        await ConfirmAsync(demo, store, caseId, "P03");
        var queue = new RecordingQueue();
        await RunAsync(demo, new CollateRecordsHandler(demo.Connectors, queue, NullLogger<CollateRecordsHandler>.Instance), caseId, "{}", jobId: 77);
        Assert.That(queue.Jobs.Select(j => j.Payload), Is.EquivalentTo(new[] { "education", "social-care", "youth-justice", "documents" }));
        Assert.That(queue.Jobs.Select(j => j.DedupeKey), Is.All.Matches<string>(k => k.StartsWith($"{caseId}:", StringComparison.Ordinal) && k.EndsWith(":77", StringComparison.Ordinal)));
        Assert.That(queue.Jobs.Select(j => j.Kind), Is.All.EqualTo(CollateSystemHandler.JobKind));
        var progress = await store.ProgressAsync(caseId);
        Assert.That(progress.Select(p => (p.System, p.Status)), Is.EquivalentTo(queue.Jobs.Select(j => (j.Payload, "queued"))));
    }

    [Test]
    public async Task CollateSystem_RunTwice_LeavesNoDuplicates_AndStoresASharedDocumentOnceWithBothProvenances()
    {
        var demo = await DemoSystems.GetAsync();
        var caseId = Interlocked.Increment(ref _nextCase);
        var store = new CollationStore(demo.DataSource, new TestCipher());
        await ConfirmAsync(demo, store, caseId, "P04");
        var handler = new CollateSystemHandler(demo.Connectors, store, null!, null!, demo.DataSource, NullLogger<CollateSystemHandler>.Instance);

        (long Items, long Sources) first = default;
        for (var run = 0; run < 2; run++)
        {
            await RunAsync(demo, handler, caseId, """{"system":"education"}""");
            await RunAsync(demo, handler, caseId, """{"system":"documents"}""");
            var counts = await CountsAsync(demo, caseId);
            if (run == 0)
            {
                first = counts;
            }
            else
            {
                Assert.That(counts, Is.EqualTo(first), "a re-run must not add items or sources");
            }
        }

        var items = await store.ItemsAsync(caseId);
        var truth = demo.Truth.Records["P04"];
        var educationRecords = truth["education"].Values.Sum(v => v.Count);
        Assert.That(items.SelectMany(i => i.Sources).Count(s => s.System == "education" && !s.RecordId.Contains('/', StringComparison.Ordinal)), Is.EqualTo(educationRecords));

        // The exclusion letter is held by the school system and on the share: one item, two provenances.
        var letter = items.Single(i => i.Kind == "document" && i.Sources.Count == 2);
        Assert.That(letter.Sources.Select(s => s.System), Is.EquivalentTo(new[] { "education", "documents" }));
        Assert.That(letter.Content.GetProperty("text").GetString(), Does.Contain("Tyler Bellamy"));
        Assert.That(items.Count(i => i.Kind == "document"), Is.EqualTo(truth["documents"]["files"].Count));

        // Sealed at rest: no name in the stored bytes.
        await using var connection = await demo.DataSource.OpenConnectionAsync();
        var stored = await connection.QueryAsync<byte[]>("SELECT sealed_content FROM collation_items WHERE case_id = @caseId", new { caseId });
        Assert.That(stored.Any(b => System.Text.Encoding.UTF8.GetString(b).Contains("Bellamy", StringComparison.Ordinal)), Is.False);
        var progress = await store.ProgressAsync(caseId);
        Assert.That(progress.Single(p => p.System == "education").Status, Is.EqualTo("done"));
    }

    [Test]
    public async Task CollateSystem_CollectsOnlyTheConfirmedPersonsRecords_NotTheNearMisses()
    {
        var demo = await DemoSystems.GetAsync();
        var caseId = Interlocked.Increment(ref _nextCase);
        var store = new CollationStore(demo.DataSource, new TestCipher());
        await ConfirmAsync(demo, store, caseId, "P01");
        var handler = new CollateSystemHandler(demo.Connectors, store, null!, null!, demo.DataSource, NullLogger<CollateSystemHandler>.Instance);
        foreach (var system in new[] { "education", "early-help", "documents" })
        {
            await RunAsync(demo, handler, caseId, JsonSerializer.Serialize(new { system }));
        }

        var sources = (await store.ItemsAsync(caseId)).SelectMany(i => i.Sources).ToList();
        foreach (var (system, datasets) in demo.Truth.Records["P01"])
        {
            foreach (var (dataset, ids) in datasets)
            {
                Assert.That(sources.Where(s => s.System == system && s.Dataset == dataset && !s.RecordId.Contains('/', StringComparison.Ordinal) || (s.System == system && system == "documents" && s.Dataset == dataset)).Select(s => s.RecordId), Is.EquivalentTo(ids), $"{system} {dataset}");
            }
        }

        var nearMissIds = demo.Truth.Records["P01a"].SelectMany(s => s.Value.SelectMany(d => d.Value.Select(id => (s.Key, d.Key, id))))
            .Concat(demo.Truth.Records["P01b"].Where(s => s.Key != "early-help").SelectMany(s => s.Value.SelectMany(d => d.Value.Select(id => (s.Key, d.Key, id))))).ToHashSet();
        Assert.That(sources.Where(s => nearMissIds.Contains((s.System, s.Dataset, s.RecordId))), Is.Empty);
    }

    private static async Task ConfirmAsync(DemoSystems demo, CollationStore store, long caseId, string key)
    {
        foreach (var (system, ids) in demo.Truth.People[key].Where(s => s.Key != "documents"))
        {
            foreach (var id in ids)
            {
                var prefix = system switch { "education" => "EDU-", "early-help" => "EH-", "social-care" => "CSC-", _ => "" };
                await store.DecideAsync(caseId, system, id, [prefix + id], confirmed: true, $"{key} in {system}", "officer@test", DateTimeOffset.UtcNow);
            }
        }
    }

    private static async Task RunAsync(DemoSystems demo, IJobHandler handler, long caseId, string payload, long jobId = 1)
    {
        await using var connection = await demo.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        using var json = JsonDocument.Parse(payload);
        await handler.HandleAsync(new JobContext
        {
            JobId = jobId,
            Kind = handler.Kind,
            Attempt = 1,
            CaseId = caseId,
            Payload = json.RootElement.Clone(),
            Transaction = transaction,
            Time = TimeProvider.System,
        }, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static async Task<(long Items, long Sources)> CountsAsync(DemoSystems demo, long caseId)
    {
        await using var connection = await demo.DataSource.OpenConnectionAsync();
        return (
            await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM collation_items WHERE case_id = @caseId", new { caseId }),
            await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM collation_item_sources WHERE case_id = @caseId", new { caseId }));
    }

    private sealed class RecordingQueue : IJobQueue
    {
        public List<(string Kind, string Payload, string DedupeKey)> Jobs { get; } = [];

        public Task<long> EnqueueAsync(NpgsqlTransaction transaction, string kind, object payload, long? caseId = null, DateTimeOffset? runAt = null, string? dedupeKey = null, CancellationToken cancellationToken = default)
        {
            var system = JsonSerializer.SerializeToElement(payload).GetProperty("system").GetString()!;
            Jobs.Add((kind, system, dedupeKey!));
            return Task.FromResult((long)Jobs.Count);
        }
    }
}
