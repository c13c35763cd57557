using System.Globalization;
using Npgsql;

namespace KccRights.Disclosure.Review;

/// <summary>
/// The review's gates, said in words for the task pages before the workflow's own conditions refuse the transition:
/// the review is done only when every in-scope item has a decision; the check only when every redaction and withheld
/// item is accepted.
/// </summary>
public sealed class ReviewGate(ReviewItems items, NpgsqlDataSource dataSource)
{
    public const string ReviewTask = "disclosure-review";
    public const string CheckTask = "redaction-check";

    /// <summary>In-scope items with no decision (the items opened afresh).</summary>
    public async Task<int> UndecidedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long caseId, CancellationToken cancellationToken)
    {
        var set = await items.FreshAsync(caseId, cancellationToken);
        var decided = await ReviewStore.DecidedAsync(connection, transaction, caseId, cancellationToken);
        return set.InScope.Count(i => !decided.ContainsKey(i.Id));
    }

    /// <summary>Why the task may not be completed with this outcome, in words; null when it may.</summary>
    public async Task<string?> RefusalAsync(string taskType, long caseId, string? outcome, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (taskType == ReviewTask && outcome == "reviewed"
            && await UndecidedAsync(connection, null, caseId, cancellationToken) is var undecided and > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Decide every item first: {undecided} {(undecided == 1 ? "item has" : "items have")} no decision yet (disclose, redact or withhold).");
        }

        if (taskType == CheckTask && outcome == "checked"
            && await ReviewStore.NotAcceptedAsync(connection, null, caseId, cancellationToken) is var open and > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Accept every redaction and withheld item first: {open} not accepted. To send the review back, return it with your comments.");
        }

        return null;
    }
}
