using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace KccRights.Architecture.Tests;

/// <summary>A SQL statement found in source: where, what kind, and the table it writes (null for a read).</summary>
internal sealed record SqlStatement(string Path, int Line, string Kind, string? Table, string Snippet)
{
    public string Where => $"{Path}:{Line}";
}

/// <summary>
/// Finds SQL in source. In C# only string literals are read (regular, verbatim, raw and interpolated; comments never),
/// parsed with Roslyn. A .cshtml file is read whole, with keywords matched in upper case only, so page prose is not SQL.
/// </summary>
internal static partial class SqlScanner
{
    public static IReadOnlyList<SqlStatement> Scan(SourceFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Path.EndsWith(".cshtml", StringComparison.OrdinalIgnoreCase))
        {
            var text = SourceText.From(file.Text);
            return Find(file.Text, 0, caseSensitive: true)
                .Select(m => new SqlStatement(file.Path, text.Lines.GetLinePosition(m.Offset).Line + 1, m.Kind, m.Table, m.Snippet))
                .ToList();
        }

        var tree = CSharpSyntaxTree.ParseText(file.Text);
        var found = new List<SqlStatement>();
        foreach (var literal in Literals(tree.GetRoot()))
        {
            var span = literal.Span;
            var source = file.Text.Substring(span.Start, span.Length);
            foreach (var match in Find(source, span.Start, caseSensitive: false))
            {
                var line = tree.GetLineSpan(new TextSpan(match.Offset, 0)).StartLinePosition.Line + 1;
                found.Add(new SqlStatement(file.Path, line, match.Kind, match.Table, match.Snippet));
            }
        }

        return found;
    }

    /// <summary>String literals, outermost only (an interpolated string is taken whole, holes and all).</summary>
    private static IEnumerable<SyntaxNode> Literals(SyntaxNode root) =>
        root.DescendantNodes(n => n is not InterpolatedStringExpressionSyntax)
            .Where(n => n is InterpolatedStringExpressionSyntax
                || (n is LiteralExpressionSyntax l && (l.IsKind(SyntaxKind.StringLiteralExpression) || l.IsKind(SyntaxKind.Utf8StringLiteralExpression))));

    private sealed record Match(int Offset, string Kind, string? Table, string Snippet);

    private const string Name = @"(?<table>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)";

    // UPDATE t [alias] SET (not "FOR UPDATE SKIP LOCKED", not "ON CONFLICT ... DO UPDATE SET").
    private static readonly (string Kind, Regex Pattern)[] Writes =
    [
        ("INSERT", new Regex(@"\bINSERT\s+INTO\s+" + Name, RegexOptions.None, TimeSpan.FromSeconds(1))),
        ("UPDATE", new Regex(@"\bUPDATE\s+(?:ONLY\s+)?(?!SET\b)" + Name + @"(?:\s+(?:AS\s+)?(?!SET\b)[A-Za-z_][A-Za-z0-9_]*)?\s+SET\s", RegexOptions.None, TimeSpan.FromSeconds(1))),
        ("DELETE", new Regex(@"\bDELETE\s+FROM\s+(?:ONLY\s+)?" + Name, RegexOptions.None, TimeSpan.FromSeconds(1))),
        ("COPY", new Regex(@"\bCOPY\s+" + Name + @"\s*(?:\(|FROM\b)", RegexOptions.None, TimeSpan.FromSeconds(1))),
        ("TRUNCATE", new Regex(@"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(?!TABLE\b)" + Name, RegexOptions.None, TimeSpan.FromSeconds(1))),
    ];

    private static readonly Regex Select = new(@"\bSELECT\b[\s\S]{0,2000}?\bFROM\s+[A-Za-z_(][A-Za-z0-9_.]*", RegexOptions.None, TimeSpan.FromSeconds(1));

    private static IEnumerable<Match> Find(string text, int baseOffset, bool caseSensitive)
    {
        foreach (var (kind, pattern) in Writes)
        {
            var regex = caseSensitive ? pattern : new Regex(pattern.ToString(), RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
            foreach (System.Text.RegularExpressions.Match m in regex.Matches(text))
            {
                var table = m.Groups["table"].Value;
                table = table[(table.LastIndexOf('.') + 1)..].ToLowerInvariant();
                yield return new Match(baseOffset + m.Index, kind, table, Snip(m.Value));
            }
        }

        // Reads: keywords in upper case only (the code's SQL style), so "select a case from the list" in prose is not SQL.
        foreach (System.Text.RegularExpressions.Match m in Select.Matches(text))
        {
            yield return new Match(baseOffset + m.Index, "SELECT", null, Snip(m.Value));
        }
    }

    private static string Snip(string sql)
    {
        var flat = WhiteSpace().Replace(sql, " ").Trim();
        return flat.Length <= 60 ? flat : flat[..57] + "...";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
