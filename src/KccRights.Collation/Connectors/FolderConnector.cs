using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KccRights.Collation.Connectors;

/// <summary>
/// A document folder (a file share): PDF, DOCX, EML and plain text, indexed by the identifiers (UPN, pupil, early-help,
/// social-care references...) found in each file's name and text. A file is the person's when it cites one of the
/// confirmed identities' identifiers. The index is kept per file and refreshed when a file changes.
/// </summary>
public sealed partial class FolderConnector(SourceSystemOptions system, string dataDirectory) : ISourceConnector
{
    private readonly Regex[] _patterns = system.IdentifierPatterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).ToArray();
    private readonly ConcurrentDictionary<string, (DateTime Modified, long Length, HashSet<string> Identifiers)> _index = new(StringComparer.Ordinal);

    public SourceSystemOptions System => system;

    public string Root => Path.IsPathRooted(system.Folder!) ? system.Folder! : Path.Combine(dataDirectory, system.Folder!);

    public Task<IReadOnlyList<PersonRow>> FindPersonAsync(PersonQuery query, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PersonRow>>([]);

    /// <summary>The identifiers each file cites (built or refreshed now).</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Index()
    {
        if (!Directory.Exists(Root))
        {
            throw new SourceSystemException($"source system {system.Id}: the folder {Root} does not exist");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            if (!DocumentText.Extensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
            {
                continue;
            }

            var relative = Path.GetRelativePath(Root, file);
            seen.Add(relative);
            var info = new FileInfo(file);
            if (_index.TryGetValue(relative, out var known) && known.Modified == info.LastWriteTimeUtc && known.Length == info.Length)
            {
                continue;
            }

            var text = DocumentText.Extract(file, File.ReadAllBytes(file)) ?? "";
            var identifiers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pattern in _patterns)
            {
                foreach (Match m in pattern.Matches(Path.GetFileName(file)))
                {
                    identifiers.Add(m.Value);
                }

                foreach (Match m in pattern.Matches(text))
                {
                    identifiers.Add(m.Value);
                }
            }

            _index[relative] = (info.LastWriteTimeUtc, info.Length, identifiers);
        }

        foreach (var gone in _index.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _index.TryRemove(gone, out _);
        }

        return _index.ToDictionary(e => e.Key, e => e.Value.Identifiers, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<SourceRecord>> FetchAsync(IReadOnlyList<ConfirmedIdentity> identities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var wanted = identities.SelectMany(i => i.Identifiers).Where(i => !string.IsNullOrWhiteSpace(i)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var dataset = system.Datasets.FirstOrDefault()?.Id ?? "files";
        var records = new List<SourceRecord>();
        foreach (var (relative, cited) in Index().OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var matched = cited.Where(wanted.Contains).Order(StringComparer.Ordinal).ToList();
            if (matched.Count == 0)
            {
                continue;
            }

            var path = Path.Combine(Root, relative);
            var content = await File.ReadAllBytesAsync(path, cancellationToken);
            var text = DocumentText.Extract(relative, content);
            var dated = DateInName().Match(relative);
            records.Add(new SourceRecord(
                system.Id,
                dataset,
                relative.Replace('\\', '/'),
                dated.Success ? DateOnly.ParseExact(dated.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                Path.GetFileNameWithoutExtension(relative),
                new SortedDictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["cites"] = string.Join(", ", matched),
                    ["media_type"] = MediaTypes.Of(relative),
                },
                text,
                [new SourceAttachment(Path.GetFileName(relative), MediaTypes.Of(relative), content, text)]) { IsDocument = true });
        }

        return records;
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DateInName();
}
