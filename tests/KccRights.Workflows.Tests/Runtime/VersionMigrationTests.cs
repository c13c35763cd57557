using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KccRights.Workflows.Tests.Runtime;

public class VersionMigrationTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // Version 1: state 'a' opens a task and runs an activity. Version 2: the same state does neither.
    private const string Version1 =
        """
        {
          "id": "mig", "title": "Migration test", "rights": ["erasure"], "startState": "a",
          "states": [
            { "id": "a", "activity": { "kind": "test-effect" }, "task": { "type": "triage", "role": "officer", "title": "A", "outcomes": ["go"] },
              "transitions": [ { "on": "go", "to": "b" }, { "on": "done", "to": "a2" } ] },
            { "id": "a2", "transitions": [ { "on": "go", "to": "b" } ] },
            { "id": "b", "terminal": true }
          ]
        }
        """;

    private const string Version2 =
        """
        {
          "id": "mig", "title": "Migration test, version 2", "rights": ["erasure"], "startState": "a",
          "states": [
            { "id": "a", "transitions": [ { "on": "go", "to": "b" } ] },
            { "id": "b", "terminal": true }
          ]
        }
        """;

    [Test]
    public async Task MigrationToAStateWithoutTaskOrActivity_CancelsTheOpenTaskAndThePendingActivity()
    {
        var v1 = Path.Combine(Path.GetTempPath(), $"kcc-wf-mig1-{Guid.NewGuid():N}");
        var v2 = Path.Combine(Path.GetTempPath(), $"kcc-wf-mig2-{Guid.NewGuid():N}");
        Directory.CreateDirectory(v1);
        Directory.CreateDirectory(v2);
        await File.WriteAllTextAsync(Path.Combine(v1, "mig.json"), Version1);
        await File.WriteAllTextAsync(Path.Combine(v2, "mig.json"), Version2);

        await using var h = await WorkflowHarness.CreateAsync(Start, services => services.AddSingleton<IJobHandler, EffectHandler>(), directory: v1);
        await EffectHandler.CreateTablesAsync(h.DataSource);
        var caseId = await StartMigAsync(h);

        var before = await h.InstanceAsync(caseId);
        Assert.That(await h.OpenTaskAsync(caseId), Is.Not.Null);

        // The service restarts with version 2; the running case is moved explicitly (state 'a' keeps its name).
        var options = new WorkflowRuntimeOptions { Directory = v2 };
        var services = WorkflowHarness.CoreServices(h.ConnectionString, h.Time, options);
        services.AddSingleton<IJobHandler, EffectHandler>();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<DefinitionRegistry>();
        await registry.StoreVersionsAsync(provider.GetRequiredService<NpgsqlDataSource>(), h.Time);
        var result = await provider.GetRequiredService<VersionMigrator>().MigrateAsync(
            "mig", before.DefinitionVersion, registry.CurrentOf("mig").Version, new Dictionary<string, string>(), "admin", dryRun: false);

        Assert.Multiple(async () =>
        {
            Assert.That(result.Moved, Is.EqualTo(1));
            Assert.That(await h.OpenTaskAsync(caseId), Is.Null, "version 2's state 'a' has no task, so none is left open in it");
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM workflow_tasks WHERE case_id = @caseId", new { caseId }), Is.EqualTo("cancelled"));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE case_id = @caseId AND origin = 'activity'", new { caseId }), Is.EqualTo("cancelled"), "nor an activity waiting to run");
        });

        // Nothing left over runs, and the case moves on under version 2.
        await h.RunJobsAsync();
        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.Zero);
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.That(await provider.GetRequiredService<WorkflowEngine>().RaiseAsync(transaction, caseId, "go", null, "officer-a"), Is.True);
            await transaction.CommitAsync();
        }

        Assert.That(await h.StateAsync(caseId), Is.EqualTo("b"));
    }

    [Test]
    public async Task LeftoversOfAnEarlierVersionMove_AreClosedByMigration0052_OthersAreKept()
    {
        var v1 = Path.Combine(Path.GetTempPath(), $"kcc-wf-mig1-{Guid.NewGuid():N}");
        Directory.CreateDirectory(v1);
        await File.WriteAllTextAsync(Path.Combine(v1, "mig.json"), Version1);
        await using var h = await WorkflowHarness.CreateAsync(Start, services => services.AddSingleton<IJobHandler, EffectHandler>(), directory: v1);
        var moved = await StartMigAsync(h);
        var kept = await StartMigAsync(h);

        // As the old version move did: 'moved' goes to version 2 with its open task and waiting activity left as they were.
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO workflow_definitions (definition_id, version, content, stored_at) VALUES ('mig', repeat('2', 64), @content, now());
                UPDATE workflow_instances SET definition_version = repeat('2', 64) WHERE case_id = @moved;
                """,
                new { content = Version2, moved });
            var script = await File.ReadAllTextAsync(Path.Combine(Paths.RepoRoot, "src", "KccRights.Infrastructure", "Database", "Migrations", "0052_close_leftovers_of_earlier_version_moves.sql"));
            await connection.ExecuteAsync(script);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM workflow_tasks WHERE case_id = @moved", new { moved }), Is.EqualTo("cancelled"));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE case_id = @moved AND origin = 'activity'", new { moved }), Is.EqualTo("cancelled"));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM workflow_tasks WHERE case_id = @kept", new { kept }), Is.EqualTo("open"), "version 1's state has its task");
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE case_id = @kept AND origin = 'activity'", new { kept }), Is.EqualTo("pending"));
        });
    }

    private static Task<long> StartMigAsync(WorkflowHarness h) => h.OpenCaseAsync(Right.Erasure, "mig", runJobs: false);
}
