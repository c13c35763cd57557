using KccRights.Disclosure.Items;

namespace KccRights.Disclosure.Review;

/// <summary>
/// The review's final decisions for the draft response (issue 13 Build 4): every in-scope item that was decided, with its
/// redactions checked once more against the item's current text (opened afresh, not from the review's cache). A
/// redaction that no longer fits its item is refused in words rather than rendered wrongly; decisions on items that are
/// no longer collated, or are now outside the agreed scope, are left out.
/// </summary>
public sealed class ReviewDecisions(ReviewStore store, ReviewItems items) : IDisclosureDecisions
{
    public async Task<IReadOnlyList<ItemDecision>> DecisionsAsync(long caseId, CancellationToken cancellationToken)
    {
        var set = await items.FreshAsync(caseId, cancellationToken);
        var decisions = await store.DecisionsAsync(caseId, null, cancellationToken);
        var redactions = (await store.RedactionsAsync(caseId, null, cancellationToken)).ToLookup(r => r.ItemId);
        var result = new List<ItemDecision>();
        foreach (var decision in decisions)
        {
            if (!set.ById.TryGetValue(decision.ItemId, out var item) || item.ExcludedReason is not null)
            {
                continue;
            }

            var spans = new List<NewSpan>();
            foreach (var r in redactions[decision.ItemId])
            {
                var span = new NewSpan(r.Field, r.Start, r.Length, r.WholeField);
                ReviewStore.Validate(item, span, spans);
                spans.Add(span);
            }

            result.Add(new ItemDecision(
                decision.ItemId,
                decision.Decision,
                decision.Decision == DisclosureDecision.Redact ? redactions[decision.ItemId].Select(r => new SpanRedaction(r.Field, r.Start, r.Length, r.Code, r.Note)).ToList() : [],
                decision.WithheldCode,
                decision.Note,
                decision.DecidedBy,
                decision.DecidedAt));
        }

        return result;
    }
}
