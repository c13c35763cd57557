using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Collation.Jobs;
using KccRights.Collation.Matching;
using KccRights.Collation.Store;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 11's collation figures: the demo generator's rows/s at a scale (large: over 1,000,000 people and 50,000,000
/// attendance sessions); <c>match</c> latency p50/p95 over 1,000 queries for real people, beside the same queries with
/// index and bitmap scans turned off (the sequential-scan baseline) in the same run, with the plan; and the time to
/// collate one person from every system. Usage: <c>collation [small|medium|large] [baseline-queries]</c>.
/// </summary>
internal static class CollationBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = DemoScale.Parse(args.Length > 0 ? args[0] : "large");
        var baselineQueries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        const int Queries = 1000;
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var owner = TestPostgres.OwnerConnectionString(connectionString);
        await using (var tune = new NpgsqlConnection(owner))
        {
            await tune.OpenAsync();
            await using var command = new NpgsqlCommand("ALTER SYSTEM SET max_wal_size = '8GB'; ALTER SYSTEM SET checkpoint_timeout = '30min'", tune);
            await command.ExecuteNonQueryAsync();
            await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", tune);
            await reload.ExecuteNonQueryAsync();
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), $"kcc-collation-bench-{Guid.NewGuid():N}");
        Console.WriteLine(Invariant($"Generating the {scale.Name} demo systems: {scale.People:N0} people, {scale.Pupils * (long)scale.SessionsPerPupil:N0} attendance sessions..."));
        var result = await new DemoDataGenerator(owner, dataDirectory, scale, 1, NullLogger.Instance).GenerateAsync(PlantedPeople.Load());
        Console.WriteLine(Invariant($"generator: {result.Rows:N0} rows in {result.LoadElapsed.TotalSeconds:F1} s = {result.RowsPerSecond:N0} rows/s (binary COPY); indexes {result.IndexElapsed.TotalSeconds:F1} s; total {result.Elapsed.TotalSeconds:F1} s"));

        const string Token = "benchmark-token";
        var seqScan = new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c enable_indexscan=off -c enable_bitmapscan=off" }.ConnectionString;
        await using var server = await YouthJusticeDemoServer.StartAsync(connectionString, Token);
        await using var seqServer = await YouthJusticeDemoServer.StartAsync(seqScan, Token);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var seqDataSource = NpgsqlDataSource.Create(seqScan);
        var configuration = Configure(server.BaseAddress, Token);
        var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
        var seqConfiguration = Configure(seqServer.BaseAddress, Token);
        var seqOptions = seqConfiguration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
        await using var connectors = new SourceConnectors(options, configuration, dataSource, new SourceSecrets(configuration, dataDirectory), dataDirectory);
        await using var seqConnectors = new SourceConnectors(seqOptions, seqConfiguration, seqDataSource, new SourceSecrets(seqConfiguration, dataDirectory), dataDirectory);

        // 1,000 queries for real people: pupils sampled with a fixed seed, searched by name, date of birth and postcode.
        var queries = new List<PersonQuery>();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var sample = new NpgsqlCommand(
                $"SELECT forename, surname, date_of_birth, postcode FROM src_education.pupils WHERE pupil_id IN (SELECT 100001 + ((g * 7919) % {scale.Pupils}) FROM generate_series(1, {Queries}) g)", connection);
            await using var reader = await sample.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                queries.Add(new PersonQuery(reader.GetString(0), reader.GetString(1), null, reader.GetFieldValue<DateOnly>(2), reader.GetString(3)));
            }
        }

        var matcher = new PersonMatcher(connectors);
        await matcher.FindAsync(queries[0]);
        var (indexed, found) = await TimeAsync(matcher, queries);
        Console.WriteLine(Invariant($"match (indexed): {queries.Count:N0} queries across {options.Systems.Count(s => s.FindPerson is not null)} systems: p50 {P(indexed, 0.5):F1} ms, p95 {P(indexed, 0.95):F1} ms, max {indexed.Max():F1} ms; the person searched for ranked first with band match in {found:N0} of {queries.Count:N0}"));
        var baseline = queries.Take(baselineQueries).ToList();
        var (sequential, _) = await TimeAsync(new PersonMatcher(seqConnectors), baseline);
        Console.WriteLine(Invariant($"match (sequential-scan baseline, index and bitmap scans off): {baseline.Count:N0} queries: p50 {P(sequential, 0.5):F1} ms, p95 {P(sequential, 0.95):F1} ms; indexed p95 is {P(sequential, 0.95) / P(indexed, 0.95):F0}x faster"));

        var education = options.Find("education")!.FindPerson!.Query!;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            var q = queries[0];
            await using (var threshold = new NpgsqlCommand(Invariant($"SET pg_trgm.similarity_threshold = {options.Find("education")!.FindPerson!.SimilarityThreshold}"), connection))
            {
                await threshold.ExecuteNonQueryAsync();
            }

            await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + education, connection);
            explain.Parameters.AddWithValue("given", q.Given);
            explain.Parameters.AddWithValue("given_alt", (object?)Nicknames.Alternative(q.Given) ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            explain.Parameters.AddWithValue("family", q.Family);
            explain.Parameters.AddWithValue("previous_family", DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            explain.Parameters.AddWithValue("dob", q.DateOfBirth!.Value);
            explain.Parameters.AddWithValue("postcode", q.Postcode!);
            explain.Parameters.AddWithValue("upn", DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            Console.WriteLine("plan (education find-person, first query):");
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                Console.WriteLine("  " + reader.GetString(0));
            }
        }

        // The document share's identifier index is built once per process (the service builds it at start).
        var warm = Stopwatch.StartNew();
        _ = ((FolderConnector)connectors.Get("documents")).Index();
        Console.WriteLine(Invariant($"document index: {Directory.GetFiles(result.DocumentsFolder).Length:N0} files indexed in {warm.Elapsed.TotalMilliseconds:F0} ms (once, at start)"));

        // Collate one person from every system: confirm the match-band candidates, then run each system's job side by side.
        var store = new CollationStore(dataSource, new BenchmarkCipher());
        var handler = new CollateSystemHandler(connectors, store, null!, null!, dataSource, NullLogger<CollateSystemHandler>.Instance);
        foreach (var key in new[] { "P03", "P01" })
        {
            var subject = PlantedPeople.Load().Single(p => p.Key == key);
            var candidates = (await matcher.FindAsync(new PersonQuery(subject.Given, subject.Family, subject.PreviousFamily, subject.DateOfBirth, subject.Postcode, subject.Upn)))
                .Candidates.Where(c => c.Band == PersonMatcher.Match).ToList();
            var caseId = key == "P03" ? 1 : 2;
            foreach (var c in candidates)
            {
                await store.DecideAsync(caseId, c.System, c.PersonId, c.Identifiers, true, c.Display, "benchmark", DateTimeOffset.UtcNow);
            }

            var systems = candidates.Select(c => c.System).Distinct().Append("documents").ToList();
            for (var run = 0; run < 2; run++)
            {
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(systems.Select(system => RunJobAsync(dataSource, handler, caseId, system)));
                clock.Stop();
                var items = (await store.ItemsAsync(caseId)).Count;
                Console.WriteLine(Invariant($"collate {key} ({string.Join(", ", systems)}): {clock.Elapsed.TotalMilliseconds:F0} ms for {items} items{(run == 0 ? "" : " (re-run, no duplicates)")}"));
            }
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static async Task RunJobAsync(NpgsqlDataSource dataSource, CollateSystemHandler handler, long caseId, string system)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(new { system }));
        await handler.HandleAsync(new JobContext { JobId = 1, Kind = handler.Kind, Attempt = 1, CaseId = caseId, Payload = json.RootElement.Clone(), Transaction = transaction, Time = TimeProvider.System }, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static async Task<(List<double> Millis, int Found)> TimeAsync(PersonMatcher matcher, List<PersonQuery> queries)
    {
        var millis = new List<double>(queries.Count);
        var found = 0;
        foreach (var q in queries)
        {
            var clock = Stopwatch.StartNew();
            var result = await matcher.FindAsync(q);
            millis.Add(clock.Elapsed.TotalMilliseconds);
            if (result.Failures.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", result.Failures));
            }

            var top = result.Candidates.FirstOrDefault(c => c.System == "education");
            if (top is { Band: PersonMatcher.Match } && top.Display.StartsWith($"{q.Given} {q.Family}", StringComparison.Ordinal))
            {
                found++;
            }
        }

        return (millis, found);
    }

    private static double P(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static IConfiguration Configure(Uri youthJustice, string token)
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "source-systems.json")).Build();
        var index = shipped.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!.Systems.FindIndex(s => s.Id == "youth-justice");
        return new ConfigurationBuilder().AddConfiguration(shipped).AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"SourceSystems:Systems:{index}:BaseUrl"] = youthJustice.ToString(),
            ["SourceSystemSecrets:YouthJusticeToken"] = token,
        }).Build();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class BenchmarkCipher : IPersonalDataCipher
    {
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(SealedData.KeySize);

        public byte[] Seal(string text, string context) => SealedData.Seal(_key, Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(context));

        public string Open(byte[] sealedValue, string context) => Encoding.UTF8.GetString(SealedData.Open(_ => _key, sealedValue, Encoding.UTF8.GetBytes(context)));

        public bool IsCurrent(string keyId) => true;

        public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);
    }
}
