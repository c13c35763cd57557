using System.Runtime.CompilerServices;

namespace KccRights.Documents.Layout;

/// <summary>
/// Lines already broken, keyed by the very inline list (by reference) and the width: shared by the measuring pass and the
/// drawing pass of one document, so the second pass does not break the same text again.
/// </summary>
public sealed class LineCache
{
    private readonly Dictionary<(object Inlines, double Width), List<Line>> _lines = new(new KeyComparer());

    internal List<Line> GetOrAdd(IReadOnlyList<Inline> inlines, double width, Func<List<Line>> breakLines)
    {
        if (!_lines.TryGetValue((inlines, width), out var lines))
        {
            lines = breakLines();
            _lines[(inlines, width)] = lines;
        }

        return lines;
    }

    private sealed class KeyComparer : IEqualityComparer<(object Inlines, double Width)>
    {
        public bool Equals((object Inlines, double Width) x, (object Inlines, double Width) y) =>
            ReferenceEquals(x.Inlines, y.Inlines) && x.Width.Equals(y.Width);

        public int GetHashCode((object Inlines, double Width) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Inlines), obj.Width);
    }
}
