using KccRights.Host.Composition;
using Microsoft.Extensions.Configuration;
using System.Text.Json;
using Dapper;
using KccRights.Correspondence;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Deadlines;
using KccRights.TestSupport;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace KccRights.Workflows.Tests.Support;

/// <summary>
/// The real runtime on a fresh migrated database, with time from a <see cref="FakeTimeProvider"/>: jobs are run by
/// <see cref="RunJobsAsync"/> and time is moved by <see cref="AdvanceToAsync"/>, which fires every timer on its way.
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    private WorkflowHarness(ServiceProvider services, FakeTimeProvider time, string connectionString)
    {
        Services = services;
        Time = time;
        ConnectionString = connectionString;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();

    public WorkflowEngine Engine => Services.GetRequiredService<WorkflowEngine>();

    public JobRunner Runner => Services.GetRequiredService<JobRunner>();

    public JobStore Jobs => Services.GetRequiredService<JobStore>();

    public ClockStore Clocks => Services.GetRequiredService<ClockStore>();

    public static async Task<WorkflowHarness> CreateAsync(DateTimeOffset start, Action<IServiceCollection>? configure = null, Action<WorkflowRuntimeOptions>? options = null, string? directory = null, IEnumerable<KeyValuePair<string, string?>>? settings = null, string? connectionString = null)
    {
        connectionString ??= await TestPostgres.CreateDatabaseAsync();
        var time = new FakeTimeProvider(start);
        var runtimeOptions = new WorkflowRuntimeOptions { Directory = directory ?? Paths.Workflows, LeaseSeconds = 30, HeartbeatSeconds = 10, BackoffBaseSeconds = 1, BackoffMaxSeconds = 60, MaxAttempts = 3 };
        options?.Invoke(runtimeOptions);
        var services = CoreServices(connectionString, time, runtimeOptions, settings);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DefinitionRegistry>().StoreVersionsAsync(provider.GetRequiredService<NpgsqlDataSource>(), time);
        return new WorkflowHarness(provider, time, connectionString);
    }

    /// <summary>A fresh directory holding one definition, <paramref name="id"/>.json, for a test with a workflow of its own.</summary>
    public static async Task<string> DefinitionDirectoryAsync(string id, string json)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"kcc-wf-{id}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, id + ".json"), json);
        return directory;
    }

    private static readonly Lazy<string> NoSourceSystems = new(() =>
    {
        var file = Path.Combine(Path.GetTempPath(), $"kcc-no-source-systems-{Environment.ProcessId}.json");
        File.WriteAllText(file, "{ \"SourceSystems\": { \"Systems\": [], \"DemoServer\": { \"Enabled\": false } } }");
        return file;
    });

    public static ServiceCollection CoreServices(string connectionString, TimeProvider time, WorkflowRuntimeOptions options, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        // The service's one wiring (AddKccRights), with this test's clock and runtime options registered first so they
        // win, and a throwaway key for stored personal data.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddSingleton(options);
        // No source systems: the runtime's tests walk the access workflow's collation states with nothing to search
        // (collation's own tests use the demo systems).
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KccRightsWiring.ThrowawayEncryptionKey(), new("SourceSystems:File", NoSourceSystems.Value)])
            .AddInMemoryCollection(settings ?? [])
            .Build();
        services.AddKccRights(configuration, connectionString);
        return services;
    }

    /// <summary>The catalog of the registered runtime (no database is opened).</summary>
    public static WorkflowCatalog Catalog()
    {
        using var provider = CoreServices("Host=127.0.0.1;Database=unused", TimeProvider.System, new WorkflowRuntimeOptions { Directory = Paths.Workflows }).BuildServiceProvider();
        return provider.GetRequiredService<WorkflowCatalog>();
    }

    /// <summary>Opens a case for <paramref name="right"/> received now, starts its clock and its workflow; runs due jobs unless told not to.</summary>
    public async Task<long> OpenCaseAsync(Right right, string? definitionId = null, bool runJobs = true, Func<OpenCaseCommand, OpenCaseCommand>? shape = null)
    {
        long caseId;
        await using (var connection = await DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var opener = Services.GetRequiredService<CaseOpener>();
            var command = new OpenCaseCommand { Right = right, Channel = "email", ReceivedAt = Time.GetUtcNow(), Actor = "intake" };
            var opened = await opener.OpenAsync(transaction, shape is null ? command : shape(command));
            caseId = opened.Id;
            await Engine.StartAsync(transaction, caseId, definitionId ?? right.Id(), null, "intake");
            await transaction.CommitAsync();
        }

        if (runJobs)
        {
            await RunJobsAsync();
        }

        return caseId;
    }

    public async Task<int> RunJobsAsync() => await Runner.RunDueAsync("test-worker");

    /// <summary>Moves time forward to <paramref name="target"/>, stopping at each pending job's run_at to run it.</summary>
    public async Task AdvanceToAsync(DateTimeOffset target)
    {
        while (true)
        {
            await RunJobsAsync();
            var next = await Jobs.NextRunAtAsync();
            if (next is null || next > target)
            {
                break;
            }

            if (next > Time.GetUtcNow())
            {
                Time.SetUtcNow(next.Value);
            }
        }

        if (target > Time.GetUtcNow())
        {
            Time.SetUtcNow(target);
        }

        await RunJobsAsync();
    }

    public Task AdvanceAsync(TimeSpan by) => AdvanceToAsync(Time.GetUtcNow() + by);

    /// <summary>Moves to <paramref name="date"/> (London) at <paramref name="hour"/>:00 London time.</summary>
    public Task AdvanceToDateAsync(DateOnly date, int hour = 12) => AdvanceToAsync(LondonTime.At(date, new TimeOnly(hour, 0)));

    public async Task<bool> RaiseAsync(long caseId, string eventName, object? data = null, string actor = "officer-a")
    {
        bool moved;
        await using (var connection = await DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            moved = await Engine.RaiseAsync(transaction, caseId, eventName, Element(data), actor);
            await transaction.CommitAsync();
        }

        await RunJobsAsync();
        return moved;
    }

    /// <summary>Completes the case's single open task with <paramref name="outcome"/>, then runs due jobs.</summary>
    public async Task CompleteAsync(long caseId, string outcome, object? data = null, string actor = "officer-a")
    {
        var task = await OpenTaskAsync(caseId) ?? throw new AssertionException($"Case {caseId} has no open task (state {(await InstanceAsync(caseId)).State}).");
        await using (var connection = await DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Engine.CompleteTaskAsync(transaction, task.Id, outcome, Element(data), actor, take: true);
            await transaction.CommitAsync();
        }

        await RunJobsAsync();
    }

    public async Task AssignAsync(long caseId, string assignee)
    {
        var task = await OpenTaskAsync(caseId) ?? throw new AssertionException($"Case {caseId} has no open task.");
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Engine.AssignTaskAsync(transaction, task.Id, assignee, "team-leader");
        await transaction.CommitAsync();
    }

    public async Task<InstanceView> InstanceAsync(long caseId)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<InstanceView>(
            "SELECT id, state, status, state_seq, data::text AS data, assignee, definition_version FROM workflow_instances WHERE case_id = @caseId ORDER BY id DESC LIMIT 1",
            new { caseId });
    }

    public async Task<string> StateAsync(long caseId) => (await InstanceAsync(caseId)).State;

    public async Task<TaskView?> OpenTaskAsync(long caseId)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<TaskView>(
            "SELECT id, type, role, state, assignee, due_on, status FROM workflow_tasks WHERE case_id = @caseId AND status = 'open'",
            new { caseId });
    }

    public async Task<ClockState> ClockAsync(long caseId) => (await Clocks.GetAsync(caseId))!;

    public async Task<int> NotificationsAsync(long caseId, string template, string? recipientKind = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM outbound_notifications WHERE case_id = @caseId AND template = @template AND (@recipientKind::text IS NULL OR recipient_kind = @recipientKind)",
            new { caseId, template, recipientKind });
    }

    public async Task<IReadOnlyList<string>> LogAsync(long caseId, string kind)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(
            "SELECT coalesce(from_state, '') || '>' || coalesce(to_state, '') || ':' || coalesce(event, '') FROM workflow_log WHERE case_id = @caseId AND kind = @kind ORDER BY id",
            new { caseId, kind })).AsList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new AssertionException($"No value from: {sql}");
    }

    public static JsonElement? Element(object? data) => data is null ? null : JsonSerializer.SerializeToElement(data);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
    }
}

internal sealed record InstanceView
{
    public long Id { get; init; }

    public string State { get; init; } = "";

    public string Status { get; init; } = "";

    public int StateSeq { get; init; }

    public string Data { get; init; } = "{}";

    public string? Assignee { get; init; }

    public string DefinitionVersion { get; init; } = "";
}

internal sealed record TaskView
{
    public long Id { get; init; }

    public string Type { get; init; } = "";

    public string Role { get; init; } = "";

    public string State { get; init; } = "";

    public string? Assignee { get; init; }

    public DateOnly? DueOn { get; init; }

    public string Status { get; init; } = "";
}
