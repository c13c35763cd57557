using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Cases;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Review;
using KccRights.Documents.Bundles;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Disclosure.Response;

/// <summary>The case as the response letter needs it: reference, requester, subject and the statutory dates.</summary>
public sealed record ResponseCase(string Reference, BundleRequester Requester, BundleSubject Subject, DateOnly Received, DateOnly Due);

/// <summary>
/// Builds the bundle a case's response is rendered from (issue 13 Build 4): the requester and subject opened from the
/// case's sealed parties and details, the dates from its clock, and the in-scope items with the review's decisions
/// (disclosed as they are, redacted spans as <see cref="BundleRedaction"/>, withheld items as <see cref="BundleWithheld"/>).
/// Items outside the agreed scope (Art 15(1A)) are left out. Every in-scope item must have a decision: a response is
/// never rendered from a review that is not finished.
/// </summary>
public static class ResponseBundle
{
    /// <summary>Reads the case's parties and dates in <paramref name="transaction"/>; null with the reason when something needed is missing.</summary>
    public static async Task<(ResponseCase? Case, string? Problem)> ReadCaseAsync(NpgsqlTransaction transaction, IPersonalDataCipher cipher, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(cipher);
        var connection = transaction.Connection!;
        var reference = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT reference FROM cases WHERE id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));
        if (reference is null)
        {
            return (null, "the case does not exist");
        }

        var row = await connection.QuerySingleOrDefaultAsync<(byte[]? SealedParties, byte[]? SealedDetails)?>(new CommandDefinition(
            "SELECT sealed_parties, sealed_details FROM case_requests WHERE case_id = @caseId",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        var parties = CaseRequestParties.Open(cipher, caseId, row?.SealedParties);
        var details = row?.SealedDetails is { } sealedDetails ? CaseRequestDetails.Open(cipher, caseId, sealedDetails) : new CaseRequestDetails();
        if (string.IsNullOrWhiteSpace(parties.RequesterName))
        {
            return (null, "the requester's name is not recorded on the case");
        }

        var dates = await ClockStore.DatesAsync(transaction, caseId, cancellationToken);
        if (dates is null)
        {
            return (null, "the case has no statutory clock (received and due dates)");
        }

        var requester = new BundleRequester { Name = parties.RequesterName.Trim(), Address = AddressLines(details.Address, details.Postcode), Email = parties.RequesterEmail };
        var subject = new BundleSubject { Name = (parties.SubjectName ?? parties.RequesterName).Trim(), DateOfBirth = details.SubjectDob };
        return (new ResponseCase(reference, requester, subject, dates.ReceivedOn, dates.EffectiveDueOn), null);
    }

    /// <summary>
    /// The bundle for <paramref name="responseCase"/> from its items and decisions, or the reason it cannot be built
    /// (an in-scope item without a decision, a withheld item without its exemption code).
    /// </summary>
    public static (BundleInput? Input, string? Problem) Compose(ResponseCase responseCase, IReadOnlyList<ReviewItem> items, IReadOnlyList<ItemDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(responseCase);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(decisions);
        var byItem = new Dictionary<long, ItemDecision>();
        foreach (var decision in decisions)
        {
            byItem[decision.ItemId] = decision;
        }

        var inScope = items.Where(i => i.ExcludedReason is null).OrderBy(i => i.Date ?? DateOnly.MaxValue).ThenBy(i => i.Id).ToList();
        var undecided = inScope.Where(i => !byItem.ContainsKey(i.Id)).ToList();
        if (undecided.Count > 0)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"The review is not finished: {undecided.Count} of {inScope.Count} items have no decision (disclose, redact or withhold), for example item {undecided[0].Id}. Finish the review, then render the draft again."));
        }

        var bundleItems = new List<BundleItem>(inScope.Count);
        foreach (var item in inScope)
        {
            var decision = byItem[item.Id];
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in item.Fields)
            {
                fields.TryAdd(name, value);
            }

            BundleWithheld? withheld = null;
            IReadOnlyList<BundleRedaction> redactions = [];
            switch (decision.Decision)
            {
                case DisclosureDecision.Withhold:
                    if (string.IsNullOrWhiteSpace(decision.WithheldCode))
                    {
                        return (null, string.Create(CultureInfo.InvariantCulture, $"Item {item.Id} is withheld without an exemption code: give one in the review."));
                    }

                    withheld = new BundleWithheld { Code = decision.WithheldCode, Note = decision.Note };
                    break;
                case DisclosureDecision.Redact:
                    redactions = decision.Redactions
                        .Select(r => new BundleRedaction { Field = r.Field, Start = r.Start, Length = r.Length, Code = r.Code, Note = r.Note })
                        .ToList();
                    break;
                case DisclosureDecision.Disclose:
                default:
                    break;
            }

            bundleItems.Add(new BundleItem
            {
                Id = item.Id.ToString(CultureInfo.InvariantCulture),
                System = item.System,
                Dataset = item.Dataset,

                // An undated item (a document without a date) is listed as of the day the request was received.
                Date = item.Date ?? responseCase.Received,
                Title = item.Title,
                Fields = fields,
                Text = item.Text,
                Redactions = redactions,
                Withheld = withheld,
            });
        }

        return (new BundleInput
        {
            Reference = responseCase.Reference,
            Requester = responseCase.Requester,
            Subject = responseCase.Subject,
            Received = responseCase.Received,
            Due = responseCase.Due < responseCase.Received ? responseCase.Received : responseCase.Due,
            Items = bundleItems,
        }, null);
    }

    /// <summary>
    /// A digest of the review's decisions (and which items they cover): a rendered version whose fingerprint equals the
    /// current one was made from the review as it stands, so it is newer than the review's last change.
    /// </summary>
    public static string Fingerprint(IEnumerable<ItemDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var text = new StringBuilder();
        foreach (var d in decisions.OrderBy(d => d.ItemId))
        {
            text.Append(CultureInfo.InvariantCulture, $"{d.ItemId}|{d.Decision}|{d.WithheldCode}|{d.Note}|{d.DecidedBy}|{d.DecidedAt.ToUnixTimeMilliseconds()}");
            foreach (var r in d.Redactions.OrderBy(r => r.Field, StringComparer.Ordinal).ThenBy(r => r.Start))
            {
                text.Append(CultureInfo.InvariantCulture, $";{r.Field}:{r.Start}:{r.Length}:{r.Code}:{r.Note}");
            }

            text.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static List<string> AddressLines(string? address, string? postcode)
    {
        var lines = (address ?? "").Split(['\n', '\r', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (postcode is { Length: > 0 } pc && !lines.Any(l => l.Contains(pc.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            lines.Add(pc.Trim());
        }

        return lines;
    }
}
