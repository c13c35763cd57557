using System.Text.Json;
using KccRights.Collation.Store;
using KccRights.Disclosure.Items;

namespace KccRights.Collation.Workflow;

/// <summary>
/// Hands a case's collated items on to the review (Disclosure), opened: a record's title, fields and free text; a
/// document's title and extracted text. An item found in two places is named by its first source.
/// </summary>
public sealed class CollationReviewItems(CollationStore store) : IReviewItemSource
{
    public async Task<IReadOnlyList<ReviewItem>> ItemsAsync(long caseId, CancellationToken cancellationToken)
    {
        var items = await store.ItemsAsync(caseId, cancellationToken);
        return items.Select(ToReviewItem).ToList();
    }

    internal static ReviewItem ToReviewItem(CollatedItem item)
    {
        var source = item.Sources.Count > 0 ? item.Sources[0] : new ItemSource("unknown", "unknown", item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.MinValue);
        var content = item.Content;
        var title = String(content, "title") ?? String(content, "fileName") ?? source.RecordId;
        var fields = new List<KeyValuePair<string, string>>();
        if (content.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in f.EnumerateObject())
            {
                if (p.Value.ValueKind is not JsonValueKind.Null)
                {
                    fields.Add(new(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
                }
            }
        }

        return new ReviewItem(item.Id, item.Kind, source.System, source.Dataset, source.RecordId, item.RecordDate, title, fields, String(content, "text") ?? "")
        {
            ExcludedReason = item.ExcludedReason,
            FileName = item.Kind == "document" ? String(content, "fileName") : null,
            MediaType = item.Kind == "document" ? String(content, "mediaType") : null,
        };
    }

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
