using System.Security.Cryptography;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests.Suggestions;

[SetUpFixture]
public class SuggestionsSetUp
{
    [OneTimeTearDown]
    public async Task StopAll()
    {
        await SuggestionDemoData.DisposeAsync();
        await TestPostgres.StopAsync();
    }
}

/// <summary>
/// The small demo systems (seed 1) generated into a fresh database, the demo youth-justice API on a loopback port and
/// connectors from the shipped source-systems.json: as the collation tests set them up (tests/KccRights.Collation.Tests/DemoSystems.cs).
/// </summary>
internal sealed class SuggestionDemoData
{
    public const int Seed = 1;
    private const string Token = "test-youth-justice-token";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static SuggestionDemoData? _instance;

    private SuggestionDemoData(string dataDirectory, DemoTruth truth, YouthJusticeDemoServer server, NpgsqlDataSource dataSource, SourceConnectors connectors)
    {
        DataDirectory = dataDirectory;
        Truth = truth;
        Server = server;
        DataSource = dataSource;
        Connectors = connectors;
    }

    public string DataDirectory { get; }

    public DemoTruth Truth { get; }

    public YouthJusticeDemoServer Server { get; }

    public NpgsqlDataSource DataSource { get; }

    public SourceConnectors Connectors { get; }

    public static IReadOnlyList<PlantedPerson> People { get; } = PlantedPeople.Load();

    public static async Task<SuggestionDemoData> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is null)
            {
                var connectionString = await TestPostgres.CreateDatabaseAsync();
                var dataDirectory = Path.Combine(Path.GetTempPath(), $"kcc-suggestions-{Guid.NewGuid():N}");
                var generator = new DemoDataGenerator(TestPostgres.OwnerConnectionString(connectionString), dataDirectory, DemoScale.Small, Seed, NullLogger.Instance);
                var result = await generator.GenerateAsync(People);
                var server = await YouthJusticeDemoServer.StartAsync(connectionString, Token);
                var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "source-systems.json")).Build();
                var shippedOptions = shipped.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
                var index = shippedOptions.Systems.FindIndex(s => s.Id == "youth-justice");
                var configuration = new ConfigurationBuilder().AddConfiguration(shipped).AddInMemoryCollection(new Dictionary<string, string?>
                {
                    [$"SourceSystems:Systems:{index}:BaseUrl"] = server.BaseAddress.ToString(),
                    ["SourceSystemSecrets:YouthJusticeToken"] = Token,
                }).Build();
                var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
                var dataSource = NpgsqlDataSource.Create(connectionString);
                var connectors = new SourceConnectors(options, configuration, dataSource, new SourceSecrets(configuration, dataDirectory), dataDirectory);
                _instance = new SuggestionDemoData(dataDirectory, result.Truth, server, dataSource, connectors);
            }

            return _instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task DisposeAsync()
    {
        if (_instance is { } d)
        {
            await d.Connectors.DisposeAsync();
            await d.Server.DisposeAsync();
            await d.DataSource.DisposeAsync();
            try
            {
                Directory.Delete(d.DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the machine's temp cleaning.
            }

            _instance = null;
        }
    }
}

/// <summary>The service's cipher shape with a key made for the test.</summary>
internal sealed class SuggestionTestCipher : IPersonalDataCipher
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(SealedData.KeySize);

    public byte[] Seal(string text, string context) =>
        SealedData.Seal(_key, System.Text.Encoding.UTF8.GetBytes(text), System.Text.Encoding.UTF8.GetBytes(context));

    public string Open(byte[] sealedValue, string context) =>
        System.Text.Encoding.UTF8.GetString(SealedData.Open(id => id == SealedData.KeyIdOf(_key) ? _key : null, sealedValue, System.Text.Encoding.UTF8.GetBytes(context)));

    public bool IsCurrent(string keyId) => keyId == SealedData.KeyIdOf(_key);

    public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);
}
