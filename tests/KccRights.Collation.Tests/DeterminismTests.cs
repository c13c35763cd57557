using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Collation.Tests;

public class DeterminismTests
{
    [Test]
    public async Task DemoData_WithTheSameSeed_IsTheSame_AndWithAnotherSeedDiffers()
    {
        var a = await GenerateAsync(7);
        var b = await GenerateAsync(7);
        var c = await GenerateAsync(8);
        Assert.That(a.Tables.Where(t => b.Tables[t.Key] != t.Value).Select(t => t.Key), Is.Empty, "tables that differ");
        Assert.That(b.Truth, Is.EqualTo(a.Truth));
        Assert.That(b.Documents, Is.EqualTo(a.Documents));
        Assert.That(c.Tables["src_education.pupils"], Is.Not.EqualTo(a.Tables["src_education.pupils"]));
    }

    private static async Task<(Dictionary<string, string> Tables, string Truth, List<string> Documents)> GenerateAsync(int seed)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"kcc-determinism-{Guid.NewGuid():N}");
        try
        {
            var result = await new DemoDataGenerator(TestPostgres.OwnerConnectionString(connectionString), dataDirectory, DemoScale.Small, seed, NullLogger.Instance)
                .GenerateAsync(DemoSystems.People);
            var tables = new Dictionary<string, string>();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var names = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema LIKE 'src\\_%' ORDER BY 1", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    names.Add(reader.GetString(0));
                }
            }

            Assert.That(names, Has.Count.GreaterThanOrEqualTo(20));
            // PDF letters are compared by their text (below): PDFsharp names each embedded font subset with a random tag.
            foreach (var name in names)
            {
                await using var hash = new NpgsqlCommand($"SELECT count(*) || ':' || coalesce(md5(string_agg(j::text, '|' ORDER BY j::text)), '') FROM (SELECT to_jsonb(t) - 'letter_pdf' AS j FROM {name} t) x", connection);
                tables[name] = (string)(await hash.ExecuteScalarAsync())!;
            }

            var documents = Directory.GetFiles(result.DocumentsFolder).Order(StringComparer.Ordinal)
                .Select(f => $"{Path.GetFileName(f)}:{DocumentText.Extract(f, File.ReadAllBytes(f))}").ToList();
            return (tables, result.Truth.ToJson(), documents);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
