using System.Globalization;
using Dapper;
using KccRights.Correspondence;
using KccRights.Domain.Deadlines;
using KccRights.Host.Composition;
using Microsoft.Extensions.Configuration;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Deadlines;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.TestWorker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

// kcc-test-worker --connection CS --node NAME [--workers N] [--lease-seconds S] [--heartbeat-seconds S] [--poll-ms MS]
var options = ParseArgs(args);
DapperSetup.Configure();
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(new WorkflowRuntimeOptions
{
    Workers = int.Parse(options.GetValueOrDefault("--workers", "2"), CultureInfo.InvariantCulture),
    LeaseSeconds = double.Parse(options.GetValueOrDefault("--lease-seconds", "2"), CultureInfo.InvariantCulture),
    HeartbeatSeconds = double.Parse(options.GetValueOrDefault("--heartbeat-seconds", "0.5"), CultureInfo.InvariantCulture),
    PollIntervalMilliseconds = int.Parse(options.GetValueOrDefault("--poll-ms", "500"), CultureInfo.InvariantCulture),
    BackoffBaseSeconds = 0.2,
    BackoffMaxSeconds = 2,
    NodeName = options["--node"],
});
// The service's one wiring, with this worker's runtime options (registered above, so they win) and a throwaway key
// (unless the test gives the key its own process uses, to read what this worker seals).
if (string.IsNullOrEmpty(builder.Configuration[KccRightsWiring.ThrowawayEncryptionKey().Key]))
{
    builder.Configuration.AddInMemoryCollection([KccRightsWiring.ThrowawayEncryptionKey()]);
}

builder.AddKccRights(options["--connection"]);
builder.Services.AddSingleton<IJobHandler>(new EffectHandler(options["--node"]));
builder.Services.AddSingleton<IJobHandler>(sp => new SlowEffectHandler(options["--node"], sp.GetRequiredService<NpgsqlDataSource>()));
builder.Services.AddWorkflowWorkers();
using var host = builder.Build();
await host.Services.GetRequiredService<DefinitionRegistry>().StoreVersionsAsync(host.Services.GetRequiredService<NpgsqlDataSource>(), TimeProvider.System);
await host.StartAsync();
Console.Out.WriteLine("ready");
await Console.Out.FlushAsync();
await host.WaitForShutdownAsync();
return 0;

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i]] = args[i + 1];
    }

    return result;
}

namespace KccRights.Workflows.TestWorker
{
    /// <summary>test-effect: records that it ran (job, attempt, process) in the job's transaction.</summary>
    internal sealed class EffectHandler(string node) : IJobHandler
    {
        public string Kind => "test-effect";

        public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
        {
            await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
                "INSERT INTO test_effects (job_id, attempt, owner, at) VALUES (@JobId, @Attempt, @node, @now)",
                new { context.JobId, context.Attempt, node, now = context.Time.GetUtcNow() },
                context.Transaction,
                cancellationToken: cancellationToken));
            return null;
        }
    }

    /// <summary>
    /// test-slow: says it started (outside the transaction, so the test can see it mid-job), sleeps on its first attempt
    /// (long enough to be killed), then records its effect in the job's transaction.
    /// </summary>
    internal sealed class SlowEffectHandler(string node, NpgsqlDataSource dataSource) : IJobHandler
    {
        public string Kind => "test-slow";

        public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
        {
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO test_markers (job_id, attempt, owner) VALUES (@JobId, @Attempt, @node)",
                    new { context.JobId, context.Attempt, node },
                    cancellationToken: cancellationToken));
            }

            await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
                "INSERT INTO test_effects (job_id, attempt, owner, at) VALUES (@JobId, @Attempt, @node, @now)",
                new { context.JobId, context.Attempt, node, now = context.Time.GetUtcNow() },
                context.Transaction,
                cancellationToken: cancellationToken));
            if (context.Attempt == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(60), cancellationToken);
            }

            return null;
        }
    }
}
