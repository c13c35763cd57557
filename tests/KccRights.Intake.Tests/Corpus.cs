using KccRights.Domain.Cases;
using KccRights.Intake.Classification;

namespace KccRights.Intake.Tests;

/// <summary>
/// The labelled corpus in Fixtures/emails: file, kind, rights, relationship and, where labelled, the data subject's
/// name (a fifth column: the name intake must record as the person the request is about).
/// </summary>
public static class Corpus
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "emails");

    public static string PathOf(string file) => Path.Combine(Folder, file);

    public static byte[] Read(string file) => File.ReadAllBytes(PathOf(file));

    public static IReadOnlyList<Label> Labels() =>
        File.ReadAllLines(Path.Combine(Folder, "labels.tsv"))
            .Skip(1)
            .Where(l => l.Length > 0)
            .Select(Label.Parse)
            .ToList();

    /// <summary>The 16 examples shared with the team (01-16).</summary>
    public static IReadOnlyList<Label> Examples() => Labels().Where(l => l.Number <= 16).ToList();
}

public sealed record Label(string File, MessageKind Kind, IReadOnlyList<Right> Rights, Relationship? Relationship, string? SubjectName = null)
{
    /// <summary>The file's leading number (01-16 are the shared examples; the corpus runs past 99).</summary>
    public int Number => int.Parse(new string(File.TakeWhile(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);

    public static Label Parse(string line)
    {
        var cells = line.Split('\t');
        if (cells.Length is not (4 or 5) || !MessageKinds.TryParseKind(cells[1], out var kind))
        {
            throw new FormatException($"Bad label line: {line}");
        }

        var rights = cells[2] == "-"
            ? []
            : cells[2].Split(',').Select(id => Domain.Cases.Rights.TryParseId(id, out var r) ? r : throw new FormatException($"Unknown right {id}")).ToList();
        Relationship? relationship = cells[3] == "-"
            ? null
            : MessageKinds.TryParseRelationship(cells[3], out var rel) ? rel : throw new FormatException($"Unknown relationship {cells[3]}");
        return new Label(cells[0], kind, rights, relationship, cells.Length == 5 && cells[4].Length > 0 ? cells[4] : null);
    }

    public override string ToString() => File;
}
