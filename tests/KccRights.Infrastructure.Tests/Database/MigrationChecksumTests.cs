using System.Security.Cryptography;
using System.Text;

namespace KccRights.Infrastructure.Tests.Database;

/// <summary>
/// Landed migrations never change (ADR 0006): every migration file's SHA-256 is in the committed manifest
/// <c>src/KccRights.Infrastructure/Database/Migrations/checksums.sha256</c> (the format <c>sha256sum</c> prints), and a
/// file whose bytes differ from its line, or a file with no line, fails this test.
/// </summary>
public class MigrationChecksumTests
{
    [Test]
    public void LandedMigrations_MatchTheCommittedChecksumManifest()
    {
        var directory = Path.Combine(RepositoryRoot(), "src", "KccRights.Infrastructure", "Database", "Migrations");
        var manifest = MigrationManifest.Parse(File.ReadAllText(Path.Combine(directory, MigrationManifest.FileName)));
        var files = Directory.GetFiles(directory, "*.sql").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);

        var problems = MigrationManifest.Check(manifest, files);

        Assert.That(problems, Is.Empty, string.Join(Environment.NewLine, problems));
    }

    [Test]
    public void Check_WhenALandedMigrationsBytesChange_ReportsItAndSaysWriteANewMigration()
    {
        var landed = Encoding.UTF8.GetBytes("CREATE TABLE t (id int);\n");
        var manifest = MigrationManifest.Parse($"{MigrationManifest.Hash(landed)}  0001_create_t.sql\n");
        var edited = Encoding.UTF8.GetBytes("CREATE TABLE t (id bigint);\n");

        var problems = MigrationManifest.Check(manifest, new Dictionary<string, byte[]> { ["0001_create_t.sql"] = edited });

        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.Contain("0001_create_t.sql").And.Contain("changed after landing").And.Contain("write a new migration"));
    }

    [Test]
    public void Check_WhenAMigrationIsNotInTheManifest_ReportsItWithTheLineToAppend()
    {
        var landed = Encoding.UTF8.GetBytes("CREATE TABLE t (id int);\n");
        var added = Encoding.UTF8.GetBytes("CREATE TABLE u (id int);\n");
        var manifest = MigrationManifest.Parse($"{MigrationManifest.Hash(landed)}  0001_create_t.sql\n");

        var problems = MigrationManifest.Check(manifest, new Dictionary<string, byte[]> { ["0001_create_t.sql"] = landed, ["0002_create_u.sql"] = added });

        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.Contain($"{MigrationManifest.Hash(added)}  0002_create_u.sql"));
    }

    [Test]
    public void Check_WhenALandedMigrationIsDeleted_ReportsIt()
    {
        var landed = Encoding.UTF8.GetBytes("CREATE TABLE t (id int);\n");
        var manifest = MigrationManifest.Parse($"{MigrationManifest.Hash(landed)}  0001_create_t.sql\n");

        var problems = MigrationManifest.Check(manifest, new Dictionary<string, byte[]>());

        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.Contain("0001_create_t.sql").And.Contain("missing"));
    }

    [Test]
    public void Check_WhenEveryFileMatches_ReportsNothing()
    {
        var landed = Encoding.UTF8.GetBytes("CREATE TABLE t (id int);\n");
        var manifest = MigrationManifest.Parse($"{MigrationManifest.Hash(landed)}  0001_create_t.sql\n");

        Assert.That(MigrationManifest.Check(manifest, new Dictionary<string, byte[]> { ["0001_create_t.sql"] = landed }), Is.Empty);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KccRights.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("KccRights.sln not found above the test folder.");
    }
}

/// <summary>The migration checksum manifest: one <c>sha256-hex  file-name</c> line per landed migration.</summary>
public static class MigrationManifest
{
    public const string FileName = "checksums.sha256";

    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length != 64)
            {
                throw new FormatException($"{FileName}: '{line}' is not a 'sha256  file-name' line.");
            }

            entries.Add(parts[1].TrimStart('*'), parts[0].ToLowerInvariant());
        }

        return entries;
    }

    public static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Every way the migration files and the manifest disagree, each as one line saying what to do.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyDictionary<string, string> manifest, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
        var problems = new List<string>();
        foreach (var (name, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var hash = Hash(bytes);
            if (!manifest.TryGetValue(name, out var expected))
            {
                problems.Add($"{name}: not in {FileName}. A new migration: append this line to {FileName}: {hash}  {name}");
            }
            else if (!string.Equals(expected, hash, StringComparison.Ordinal))
            {
                problems.Add($"{name}: changed after landing (manifest {expected[..12]}, file {hash[..12]}). Never edit a landed migration: " +
                    "undo the edit and write a new migration with the next number instead.");
            }
        }

        foreach (var name in manifest.Keys.Where(n => !files.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
        {
            problems.Add($"{name}: in {FileName} but the file is missing. A landed migration is never deleted: restore it.");
        }

        return problems;
    }
}
