using KccRights.Documents.Layout;

namespace KccRights.Documents.Bundles;

/// <summary>
/// Turns a value and its (validated) redactions into inlines: the text around each redaction, and a box carrying only the
/// exemption code where the redacted characters were. This is the one place redacted characters are skipped; nothing after
/// it (layout, PDF) can see them.
/// </summary>
public static class Redactions
{
    public static IReadOnlyList<Inline> Apply(string value, IEnumerable<BundleRedaction> redactions)
    {
        var result = new List<Inline>();
        var position = 0;
        foreach (var r in redactions.OrderBy(r => r.Start))
        {
            if (r.Start > position)
            {
                result.Add(new TextRun(value[position..r.Start]));
            }

            result.Add(new RedactionBox(r.Code));
            position = r.Start + r.Length;
        }

        if (position < value.Length || result.Count == 0)
        {
            result.Add(new TextRun(value[position..]));
        }

        return result;
    }
}
