using System.Diagnostics;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Disclosure.Review;
using KccRights.TestSupport;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests;

/// <summary>
/// A 5,000-item case (issue 13 Build 1: "stays usable"): the items are opened once through Collation's real source
/// (sealed rows decrypted) and kept, so the list's pages and the item pages do not open every item again. Prints the
/// times measured.
/// </summary>
public sealed class LargeCaseTests
{
    [Test]
    public async Task FiveThousandItems_AreOpenedOnce_ThenServedFromTheCache()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        var cipher = new TestCipher();
        var collation = new CollationStore(dataSource, cipher);
        const long caseId = 77_000;
        var records = Enumerable.Range(1, 5_000).Select(i => new SourceRecord(
            "social-care",
            i % 2 == 0 ? "contacts" : "assessments",
            $"R{i}",
            new DateOnly(2020, 1, 1).AddDays(i % 1000),
            $"Contact {i}",
            new Dictionary<string, string?> { ["worker"] = "Alex Smith", ["outcome"] = "No further action" },
            $"Visit {i}: spoke with the family about school attendance and the plan agreed at the last meeting.",
            [])).ToList();
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await collation.ReplaceSystemAsync(transaction, caseId, "social-care", records, DateTimeOffset.UtcNow, CancellationToken.None);
            await transaction.CommitAsync();
        }

        var items = new ReviewItems(new CollationReviewItems(collation), new MemoryCache(new MemoryCacheOptions()));
        var store = new ReviewStore(dataSource, cipher, TimeProvider.System);

        var started = Stopwatch.GetTimestamp();
        var first = await items.GetAsync(caseId);
        var opened = Stopwatch.GetElapsedTime(started);
        started = Stopwatch.GetTimestamp();
        var second = await items.GetAsync(caseId);
        var decided = await store.DecidedAsync(caseId);
        var page = second.All.Skip(50 * 60).Take(50).ToList();
        var cachedPage = Stopwatch.GetElapsedTime(started);

        TestContext.Out.WriteLine($"5,000 items: opened in {opened.TotalMilliseconds:0} ms (IReviewItemSource); a later page from the cache with the decisions in {cachedPage.TotalMilliseconds:0} ms");
        Assert.Multiple(() =>
        {
            Assert.That(first.All, Has.Count.EqualTo(5_000));
            Assert.That(second, Is.SameAs(first), "the second request does not open the items again");
            Assert.That(page, Has.Count.EqualTo(50));
            Assert.That(decided, Is.Empty);
        });

        // Find-and-redact across the whole case: one span per item.
        started = Stopwatch.GetTimestamp();
        var count = await store.FindAndRedactAsync(caseId, first.InScope, "Alex Smith", "TP-PRO", "Social worker", "officer-a");
        TestContext.Out.WriteLine($"find-and-redact across 5,000 items: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
        Assert.That(count, Is.EqualTo(5_000));
        Assert.That((await store.DecidedAsync(caseId)).Count, Is.EqualTo(5_000), "every item now redact");
    }
}
