using KccRights.Domain.Cases;
using KccRights.Intake.Classification;

namespace KccRights.Intake.Tests;

/// <summary>The labelled corpus in Fixtures/emails: file, kind, rights, relationship.</summary>
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
    public static IReadOnlyList<Label> Examples() => Labels().Where(l => int.Parse(l.File[..2], System.Globalization.CultureInfo.InvariantCulture) <= 16).ToList();
}

public sealed record Label(string File, MessageKind Kind, IReadOnlyList<Right> Rights, Relationship? Relationship)
{
    public static Label Parse(string line)
    {
        var cells = line.Split('\t');
        if (cells.Length != 4 || !MessageKinds.TryParseKind(cells[1], out var kind))
        {
            throw new FormatException($"Bad label line: {line}");
        }

        var rights = cells[2] == "-"
            ? []
            : cells[2].Split(',').Select(id => Domain.Cases.Rights.TryParseId(id, out var r) ? r : throw new FormatException($"Unknown right {id}")).ToList();
        Relationship? relationship = cells[3] == "-"
            ? null
            : MessageKinds.TryParseRelationship(cells[3], out var rel) ? rel : throw new FormatException($"Unknown relationship {cells[3]}");
        return new Label(cells[0], kind, rights, relationship);
    }

    public override string ToString() => File;
}
