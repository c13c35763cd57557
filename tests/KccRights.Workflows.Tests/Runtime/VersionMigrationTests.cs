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
        var v1 = await WorkflowHarness.DefinitionDirectoryAsync("mig", Version1);
        var v2 = await WorkflowHarness.DefinitionDirectoryAsync("mig", Version2);

        await using var h = await WorkflowHarness.CreateAsync(Start, services => services.AddSingleton<IJobHandler, EffectHandler>(), directory: v1);
        await EffectHandler.CreateTablesAsync(h.DataSource);
        var caseId = await StartMigAsync(h);

        Assert.That(await h.OpenTaskAsync(caseId), Is.Not.Null);

        // The service restarts with version 2; the running case is moved explicitly (state 'a' keeps its name).
        var result = await MigrateAsync(h, caseId, "mig", v2, withEffects: true);

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
        Assert.That(await h.RaiseAsync(caseId, "go"), Is.True);
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("b"));
    }

    [Test]
    public async Task MigrationToAStateWithAnActivity_EnqueuesIt_SoTheCaseMovesOn()
    {
        const string WithActivity =
            """
            {
              "id": "mig", "title": "Migration test, version 3", "rights": ["erasure"], "startState": "a",
              "states": [
                { "id": "a", "activity": { "kind": "test-effect" }, "transitions": [ { "on": "go", "to": "b" }, { "on": "done", "to": "b" } ] },
                { "id": "b", "terminal": true }
              ]
            }
            """;
        var v2 = await WorkflowHarness.DefinitionDirectoryAsync("mig", Version2);
        var v3 = await WorkflowHarness.DefinitionDirectoryAsync("mig", WithActivity);
        await using var h = await WorkflowHarness.CreateAsync(Start, services => services.AddSingleton<IJobHandler, EffectHandler>(), directory: v2);
        await EffectHandler.CreateTablesAsync(h.DataSource);
        var caseId = await StartMigAsync(h);

        await MigrateAsync(h, caseId, "mig", v3, withEffects: true);
        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'activity' AND status = 'pending'", new { caseId }), Is.EqualTo(1));

        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.EqualTo(1));
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("b"));
        });
    }

    [Test]
    public async Task LeftoversOfAnEarlierVersionMove_AreClosedByMigration0052_OthersAreKept()
    {
        var v1 = await WorkflowHarness.DefinitionDirectoryAsync("mig", Version1);
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

    // State 'a' has a daily 'after' timer (from entering the state) and a daily 'at' timer (from 30 days before the due
    // date); version 2 differs only in its title, and adds a one-off 'after' timer whose day has passed.
    private static string Reminders(string title, string extraTimer) =>
        $$"""
        {
          "id": "rem", "title": "{{title}}", "rights": ["erasure"], "startState": "a",
          "states": [
            { "id": "a",
              "timers": [
                { "id": "nudge", "after": { "days": 1 }, "repeat": { "days": 1 }, "notify": { "template": "reminder-due-soon", "to": ["team"] } },
                { "id": "daily", "at": { "caseDate": "due", "days": -30 }, "repeat": { "days": 1 }, "notify": { "template": "reminder-overdue", "to": ["team"] } }
                {{extraTimer}}
              ],
              "transitions": [ { "on": "go", "to": "b" } ] },
            { "id": "b", "terminal": true }
          ]
        }
        """;

    [Test]
    public async Task Migration_JoinsEachRepeatingTimerWhereItHadGotTo_NothingFiresTwiceOrStops()
    {
        var v1 = await WorkflowHarness.DefinitionDirectoryAsync("rem", Reminders("Reminders", string.Empty));
        var v2 = await WorkflowHarness.DefinitionDirectoryAsync("rem", Reminders("Reminders, version 2", """, { "id": "once", "after": { "days": 2 }, "notify": { "template": "reminder-due-today", "to": ["team"] } }"""));

        // Received Mon 2 March: due Thu 2 April, so 'daily' starts on Tue 3 March (08:00) and 'nudge' on Tue 3 March (09:00).
        await using var h = await WorkflowHarness.CreateAsync(Start, directory: v1);
        var caseId = await h.OpenCaseAsync(Right.Erasure, "rem");
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(3), "nudge: 3, 4 and 5 March");
            Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(3), "daily: 3, 4 and 5 March");
        });

        await MigrateAsync(h, caseId, "rem", v2);

        var pending = await h.ScalarAsync<string>(
            "SELECT string_agg(split_part(dedupe_key, ':', 4), ',' ORDER BY dedupe_key) FROM jobs WHERE case_id = @caseId AND origin = 'timer' AND status = 'pending'",
            new { caseId });
        Assert.That(pending, Is.EqualTo("daily,nudge,once"), "each timer armed once");

        // Two more days under version 2: each repeating timer goes on from where it was; the new one-off fires once.
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.Zero));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(5), "nudge: and 6, 7 March");
            Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(5), "daily: and 6, 7 March");
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-today"), Is.EqualTo(1), "the new one-off, once");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'timer' AND status = 'pending'", new { caseId }), Is.EqualTo(2));
        });
    }

    private static string Nudging(string title, int repeatDays) =>
        $$"""
        {
          "id": "nudging", "title": "{{title}}", "rights": ["erasure"], "startState": "a",
          "states": [
            { "id": "a",
              "timers": [ { "id": "nudge", "after": { "days": 1 }, "repeat": { "days": {{repeatDays}} }, "notify": { "template": "reminder-due-soon", "to": ["team"] } } ],
              "transitions": [ { "on": "go", "to": "b" } ] },
            { "id": "b", "terminal": true }
          ]
        }
        """;

    [Test]
    public async Task Migration_ToAChangedSchedule_KeepsTheTimerRepeating_WithoutRepeatingAFiring()
    {
        var v1 = await WorkflowHarness.DefinitionDirectoryAsync("nudging", Nudging("Daily", 1));
        var v2 = await WorkflowHarness.DefinitionDirectoryAsync("nudging", Nudging("Every other day", 2));
        await using var h = await WorkflowHarness.CreateAsync(Start, directory: v1);
        var caseId = await h.OpenCaseAsync(Right.Erasure, "nudging");
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(3), "3, 4 and 5 March, 09:00");

        await MigrateAsync(h, caseId, "nudging", v2);

        // Every other day from 3 March is 3, 5, 7, 9 March: numbers 1 and 2 ran under the old schedule, so number 3
        // (9 March) is next. A chain armed under a number already used would never fire again.
        Assert.That(
            await h.ScalarAsync<DateTimeOffset>("SELECT run_at FROM jobs WHERE case_id = @caseId AND origin = 'timer' AND status = 'pending'", new { caseId }),
            Is.EqualTo(new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero)));
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 11, 12, 0, 0, TimeSpan.Zero));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(5), "and 9, 11 March");
    }

    // An instance timer that repeats until its event moves the case.
    private static string Stopping(string title) =>
        $$"""
        {
          "id": "stop", "title": "{{title}}", "rights": ["erasure"], "startState": "a",
          "timers": [ { "id": "poke", "after": { "days": 1 }, "repeat": { "days": 1 }, "event": "go" } ],
          "states": [
            { "id": "a", "transitions": [ { "on": "go", "to": "b" } ] },
            { "id": "b", "transitions": [ { "on": "done", "to": "c" } ] },
            { "id": "c", "terminal": true }
          ]
        }
        """;

    [Test]
    public async Task Migration_DoesNotStartAgainATimerWhoseChainHadEnded()
    {
        var v1 = await WorkflowHarness.DefinitionDirectoryAsync("stop", Stopping("Stopping"));
        var v2 = await WorkflowHarness.DefinitionDirectoryAsync("stop", Stopping("Stopping, version 2"));
        await using var h = await WorkflowHarness.CreateAsync(Start, directory: v1);
        var caseId = await h.OpenCaseAsync(Right.Erasure, "stop");

        // 'poke' fires after a day and moves the case on: its chain ends there.
        await h.AdvanceAsync(TimeSpan.FromDays(2.5));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("b"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'timer' AND status = 'pending'", new { caseId }), Is.Zero);
        });

        await MigrateAsync(h, caseId, "stop", v2);

        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'timer' AND status = 'pending'", new { caseId }), Is.Zero, "not revived by the move");
    }

    // The service restarts with the definition's version in <paramref name="directory"/>; the case's instance (and any
    // other on its version) is moved to it explicitly, every state keeping its name.
    private static async Task<VersionMigrationResult> MigrateAsync(WorkflowHarness h, long caseId, string definitionId, string directory, bool withEffects = false)
    {
        var before = await h.InstanceAsync(caseId);
        var services = WorkflowHarness.CoreServices(h.ConnectionString, h.Time, new WorkflowRuntimeOptions { Directory = directory });
        if (withEffects)
        {
            services.AddSingleton<IJobHandler, EffectHandler>();
        }

        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<DefinitionRegistry>();
        await registry.StoreVersionsAsync(provider.GetRequiredService<NpgsqlDataSource>(), h.Time);
        return await provider.GetRequiredService<VersionMigrator>().MigrateAsync(
            definitionId, before.DefinitionVersion, registry.CurrentOf(definitionId).Version, new Dictionary<string, string>(), "admin", dryRun: false);
    }

    private static Task<long> StartMigAsync(WorkflowHarness h) => h.OpenCaseAsync(Right.Erasure, "mig", runJobs: false);
}
