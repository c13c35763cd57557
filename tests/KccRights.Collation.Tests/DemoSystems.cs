using System.Security.Cryptography;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Collation.Tests;

/// <summary>
/// The small demo systems (seed 1), generated once per test run into a fresh database, the demo youth-justice API
/// served on a loopback port with its token, and connectors configured from the shipped source-systems.json.
/// </summary>
internal sealed class DemoSystems
{
    public const int Seed = 1;
    public const string Token = "test-youth-justice-token";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static DemoSystems? _instance;

    private DemoSystems(string connectionString, string dataDirectory, DemoTruth truth, YouthJusticeDemoServer server, NpgsqlDataSource dataSource, SourceSystemsOptions options, SourceConnectors connectors, IConfiguration configuration)
    {
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        Truth = truth;
        Server = server;
        DataSource = dataSource;
        Options = options;
        Connectors = connectors;
        Configuration = configuration;
    }

    public string ConnectionString { get; }

    public string DataDirectory { get; }

    public DemoTruth Truth { get; }

    public YouthJusticeDemoServer Server { get; }

    public NpgsqlDataSource DataSource { get; }

    public SourceSystemsOptions Options { get; }

    public SourceConnectors Connectors { get; }

    public IConfiguration Configuration { get; }

    public static IReadOnlyList<PlantedPerson> People { get; } = PlantedPeople.Load();

    public static async Task<DemoSystems> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is null)
            {
                var connectionString = await TestPostgres.CreateDatabaseAsync();
                var dataDirectory = Path.Combine(Path.GetTempPath(), $"kcc-collation-{Guid.NewGuid():N}");
                var generator = new DemoDataGenerator(TestPostgres.OwnerConnectionString(connectionString), dataDirectory, DemoScale.Small, Seed, NullLogger.Instance);
                var result = await generator.GenerateAsync(People);
                var server = await YouthJusticeDemoServer.StartAsync(connectionString, Token);
                var configuration = Configure(server.BaseAddress, Token);
                var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
                var dataSource = NpgsqlDataSource.Create(connectionString);
                var connectors = new SourceConnectors(options, configuration, dataSource, new SourceSecrets(configuration, dataDirectory), dataDirectory);
                _instance = new DemoSystems(connectionString, dataDirectory, result.Truth, server, dataSource, options, connectors, configuration);
            }

            return _instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The shipped configuration, with the youth-justice address and token of this run.</summary>
    public static IConfiguration Configure(Uri youthJustice, string token, int? pageSize = null)
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "source-systems.json")).Build();
        var options = shipped.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
        var index = options.Systems.FindIndex(s => s.Id == "youth-justice");
        var overrides = new Dictionary<string, string?>
        {
            [$"SourceSystems:Systems:{index}:BaseUrl"] = youthJustice.ToString(),
            ["SourceSystemSecrets:YouthJusticeToken"] = token,
        };
        if (pageSize is { } size)
        {
            overrides[$"SourceSystems:Systems:{index}:PageSize"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ConfigurationBuilder().AddConfiguration(shipped).AddInMemoryCollection(overrides).Build();
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
internal sealed class TestCipher : IPersonalDataCipher
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(SealedData.KeySize);

    public byte[] Seal(string text, string context) =>
        SealedData.Seal(_key, System.Text.Encoding.UTF8.GetBytes(text), System.Text.Encoding.UTF8.GetBytes(context));

    public string Open(byte[] sealedValue, string context) =>
        System.Text.Encoding.UTF8.GetString(SealedData.Open(id => id == SealedData.KeyIdOf(_key) ? _key : null, sealedValue, System.Text.Encoding.UTF8.GetBytes(context)));

    public bool IsCurrent(string keyId) => keyId == SealedData.KeyIdOf(_key);

    public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);
}
