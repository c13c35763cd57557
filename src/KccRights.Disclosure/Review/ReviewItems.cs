using System.Diagnostics;
using KccRights.Disclosure.Items;
using Microsoft.Extensions.Caching.Memory;

namespace KccRights.Disclosure.Review;

/// <summary>A case's items, opened once, by id and in the review's order (system, dataset, date, id).</summary>
public sealed class ReviewItemSet
{
    public ReviewItemSet(IReadOnlyList<ReviewItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        All = items.OrderBy(i => i.System, StringComparer.Ordinal).ThenBy(i => i.Dataset, StringComparer.Ordinal).ThenBy(i => i.Date).ThenBy(i => i.Id).ToList();
        ById = All.ToDictionary(i => i.Id);
    }

    public IReadOnlyList<ReviewItem> All { get; }

    public IReadOnlyDictionary<long, ReviewItem> ById { get; }

    /// <summary>The items the review decides: those inside the agreed scope (Art 15(1A)).</summary>
    public IEnumerable<ReviewItem> InScope => All.Where(i => i.ExcludedReason is null);

    /// <summary>How long opening them took (reported on the page for the 5,000-item case).</summary>
    public TimeSpan OpenedIn { get; init; }
}

/// <summary>
/// The review's view of a case's items. <see cref="IReviewItemSource"/> opens every item of a case (a 5,000-item case
/// costs a decryption of each), so the opened set is kept in memory for a short while per case and every page of the
/// list, every item page and every form of the same minutes use it. Items never change under an id (Collation stores
/// one item per content hash), so a cached item's text is its current text; a re-collation adds or removes ids, seen
/// within <see cref="Lifetime"/>. The gate and the decisions handed to the response always open afresh.
/// </summary>
public sealed class ReviewItems(IReviewItemSource source, IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public async Task<ReviewItemSet> GetAsync(long caseId, CancellationToken cancellationToken = default)
    {
        var key = (typeof(ReviewItems), caseId);
        if (cache.TryGetValue(key, out ReviewItemSet? set) && set is not null)
        {
            return set;
        }

        set = await FreshAsync(caseId, cancellationToken);
        cache.Set(key, set, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        return set;
    }

    public async Task<ReviewItemSet> FreshAsync(long caseId, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var items = await source.ItemsAsync(caseId, cancellationToken);
        return new ReviewItemSet(items) { OpenedIn = Stopwatch.GetElapsedTime(started) };
    }
}
