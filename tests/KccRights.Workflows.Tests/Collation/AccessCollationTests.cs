using Dapper;
using KccRights.Cases;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Collation.Matching;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Domain.Cases;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace KccRights.Workflows.Tests.Collation;

/// <summary>
/// Issue 11 through the access workflow, on the small demo systems (seed 1) in the harness's database: a case for each
/// planted subject is searched, the officer confirms the candidates, the systems are collated in parallel jobs and the
/// case moves on by itself; a system that keeps failing opens its incident and a manual search; a re-run after a lost
/// commit leaves no duplicates.
/// </summary>
[NonParallelizable]
public class AccessCollationTests
{
    private const string Token = "workflow-test-youth-justice-token";
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly object NoDoubts = new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false };

    private string _connectionString = "";
    private string _dataDirectory = "";
    private DemoTruth _truth = null!;
    private YouthJusticeDemoServer _server = null!;
    private IReadOnlyList<PlantedPerson> _people = [];

    [OneTimeSetUp]
    public async Task GenerateDemoSystems()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _dataDirectory = Path.Combine(Path.GetTempPath(), $"kcc-wf-collation-{Guid.NewGuid():N}");
        _people = PlantedPeople.Load();
        var result = await new DemoDataGenerator(TestPostgres.OwnerConnectionString(_connectionString), _dataDirectory, DemoScale.Small, 1, NullLogger.Instance).GenerateAsync(_people);
        _truth = result.Truth;
        _server = await YouthJusticeDemoServer.StartAsync(_connectionString, Token);
    }

    [OneTimeTearDown]
    public async Task StopDemoServer()
    {
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the machine's temp cleaning.
        }
    }

    private Dictionary<string, string?> Settings(string? token = null, params (string Key, string? Value)[] more)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "source-systems.json");
        var systems = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddJsonFile(shipped).Build()
            .GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!.Systems;
        var settings = new Dictionary<string, string?>
        {
            ["SourceSystems:File"] = shipped,
            [$"SourceSystems:Systems:{systems.FindIndex(s => s.Id == "youth-justice")}:BaseUrl"] = _server.BaseAddress.ToString(),
            ["SourceSystemSecrets:YouthJusticeToken"] = token ?? Token,
            ["Storage:DataDirectory"] = _dataDirectory,
        };
        foreach (var (key, value) in more)
        {
            settings[key.Replace("{send}", systems.FindIndex(s => s.Id == "send").ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)] = value;
        }

        return settings;
    }

    private static Func<OpenCaseCommand, OpenCaseCommand> About(PlantedPerson p) => c => c with
    {
        Relationship = "self",
        Parties = new CaseRequestParties { RequesterName = $"{p.Given} {p.Family}", RequesterEmail = "requester@example.test", SubjectName = $"{p.Given} {p.Family}" },
        Details = new CaseRequestDetails { SubjectDob = p.DateOfBirth, Postcode = p.Postcode, PreviousNames = p.PreviousFamily is { } prev ? [$"{p.Given} {prev}"] : [] },
    };

    private static async Task ConfirmMatchesAsync(WorkflowHarness h, long caseId)
    {
        var candidates = h.Services.GetRequiredService<CandidateStore>();
        foreach (var c in (await candidates.ListAsync(caseId)).Where(c => c.Band != PersonMatcher.Unlikely))
        {
            await candidates.DecideAsync(caseId, c.System, c.PersonId, c.Band == PersonMatcher.Match, "officer-a", h.Time.GetUtcNow());
        }
    }

    [Test]
    public async Task EachPlantedSubject_IsFoundInTheirSystems_ConfirmedAndCollatedWithExactlyTheirRecords_ThenTheCaseMovesOn()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday, settings: Settings(), connectionString: _connectionString);
        foreach (var subject in _people.Where(p => p.IsSubject))
        {
            var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
            await h.AssignAsync(caseId, "officer-a");
            await h.CompleteAsync(caseId, "triaged", NoDoubts);
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"), subject.Key);

            // The candidates the officer sees: the subject, band match, first in exactly the systems people.tsv lists.
            var candidates = await h.Services.GetRequiredService<CandidateStore>().ListAsync(caseId);
            var systems = subject.Systems.Where(s => s != "documents").Order(StringComparer.Ordinal).ToList();
            Assert.That(candidates.Where(c => c.Band == PersonMatcher.Match).Select(c => c.System).Distinct().Order(StringComparer.Ordinal), Is.EqualTo(systems), $"{subject.Key}: systems with a match");
            foreach (var system in systems)
            {
                Assert.That(candidates.First(c => c.System == system).PersonId, Is.EqualTo(_truth.People[subject.Key][system].Single()), $"{subject.Key} first in {system}");
            }

            var others = _people.Where(p => p.NearMissOf == subject.Key)
                .SelectMany(o => _truth.People[o.Key].Where(s => s.Key != "documents").SelectMany(s => s.Value.Select(id => (s.Key, id)))).ToHashSet();
            Assert.That(candidates.Where(c => c.Band == PersonMatcher.Match && others.Contains((c.System, c.PersonId))), Is.Empty, $"{subject.Key}: a near-miss or relative in band match");

            // Nothing is collated until every candidate of band match or review is decided (identities-decided).
            if (candidates.Any(c => c.Band != PersonMatcher.Unlikely))
            {
                Assert.That(async () => await h.CompleteAsync(caseId, "confirmed"), Throws.TypeOf<WorkflowException>(), subject.Key);
            }

            await ConfirmMatchesAsync(h, caseId);
            await h.CompleteAsync(caseId, "confirmed");
            await h.RunJobsAsync();
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("disclosure-review"), $"{subject.Key}: collated, on to the review by itself");

            var store = h.Services.GetRequiredService<CollationStore>();
            var sources = (await store.ItemsAsync(caseId)).SelectMany(i => i.Sources).ToList();
            foreach (var (system, datasets) in _truth.Records[subject.Key])
            {
                foreach (var (dataset, ids) in datasets)
                {
                    var collated = sources.Where(s => s.System == system && s.Dataset == dataset && (system == "documents" || !s.RecordId.Contains('/', StringComparison.Ordinal))).Select(s => s.RecordId);
                    Assert.That(collated, Is.EquivalentTo(ids), $"{subject.Key}: {system} {dataset}");
                }
            }

            var otherRecords = _people.Where(p => p.NearMissOf == subject.Key)
                .SelectMany(o => _truth.Records[o.Key].SelectMany(s => s.Value.SelectMany(d => d.Value.Select(id => (s.Key, d.Key, id))))).ToHashSet();
            var subjectRecords = _truth.Records[subject.Key].SelectMany(s => s.Value.SelectMany(d => d.Value.Select(id => (s.Key, d.Key, id)))).ToHashSet();
            Assert.That(sources.Where(s => otherRecords.Contains((s.System, s.Dataset, s.RecordId)) && !subjectRecords.Contains((s.System, s.Dataset, s.RecordId))), Is.Empty, $"{subject.Key}: a near-miss's or relative's record collated");

            var progress = await store.ProgressAsync(caseId);
            Assert.That(progress.Select(p => p.Status), Is.All.EqualTo("done"), subject.Key);
            Assert.That(progress.Where(p => p.System != "documents").Select(p => p.System).Order(StringComparer.Ordinal), Is.EqualTo(systems), subject.Key);
            Assert.That(await h.LogAsync(caseId, "transition"), Does.Contain("collation>disclosure-review:collated"), subject.Key);
        }
    }

    [Test]
    public async Task AScopeDateRange_KeepsOlderRecordsOutWithTheReason()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday, settings: Settings(), connectionString: _connectionString);
        var subject = _people.Single(p => p.Key == "P03");
        var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await ConfirmMatchesAsync(h, caseId);
        await h.CompleteAsync(caseId, "confirmed", new { scopeFrom = "2022-01-01", scopeTo = "" });
        await h.RunJobsAsync();

        var items = await h.Services.GetRequiredService<CollationStore>().ItemsAsync(caseId);
        await using var connection = await h.DataSource.OpenConnectionAsync();
        var scope = await CollationFlow.ScopeAsync(connection, null, caseId, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(scope!.From, Is.EqualTo(new DateOnly(2022, 1, 1)));
            Assert.That(scope.To, Is.Null);
            Assert.That(scope.AgreedBy, Is.EqualTo("officer-a"));
            Assert.That(items.Where(i => i.RecordDate < new DateOnly(2022, 1, 1)), Is.Not.Empty, "the demo data holds older records");
            Assert.That(items.Where(i => i.RecordDate < new DateOnly(2022, 1, 1)).Select(i => i.ExcludedReason), Is.All.StartsWith("dated ").And.All.Contains("before the agreed scope (from 2022-01-01)"));
            Assert.That(items.Where(i => i.RecordDate is null || i.RecordDate >= new DateOnly(2022, 1, 1)).Select(i => i.ExcludedReason), Is.All.Null);
        });
    }

    [Test]
    public async Task ASystemThatKeepsFailing_OpensItsIncidentAndAManualSearch_AndTheUploadMovesTheCaseOn()
    {
        // SEND's first dataset query is broken: the person is found, but fetching their records fails every attempt.
        await using var h = await WorkflowHarness.CreateAsync(
            Monday,
            settings: Settings(null, ("SourceSystems:Systems:{send}:Datasets:0:Query", "SELECT * FROM src_send.no_such_table WHERE @person_id IS NOT NULL")),
            connectionString: _connectionString);
        var subject = _people.Single(p => p.IsSubject && p.Systems.Contains("send"));
        var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await ConfirmMatchesAsync(h, caseId);
        await h.CompleteAsync(caseId, "confirmed");
        await h.AdvanceToAsync(h.Time.GetUtcNow().AddMinutes(10));

        var progress = await h.Services.GetRequiredService<CollationStore>().ProgressAsync(caseId);
        var send = progress.Single(p => p.System == "send");
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("collation"), "the case waits for the manual search");
            Assert.That(send.Status, Is.EqualTo("manual"));
            Assert.That(send.Attempts, Is.EqualTo(3), "every attempt was made first");
            Assert.That(send.LastError, Does.Contain("send"));
            Assert.That(progress.Where(p => p.System != "send").Select(p => p.Status), Is.All.EqualTo("done"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE case_id = @caseId AND kind = 'collate-system' AND status = 'open'", new { caseId }), Is.EqualTo(1));
        });
        var task = await h.ScalarAsync<long>("SELECT id FROM workflow_tasks WHERE case_id = @caseId AND type = 'manual-search' AND status = 'open'", new { caseId });
        Assert.Multiple(async () =>
        {
            Assert.That(task, Is.EqualTo(send.ManualTaskId));
            Assert.That(await h.ScalarAsync<string>("SELECT team FROM workflow_tasks WHERE id = @task", new { task }), Is.EqualTo("SEND"));
            Assert.That(await h.ScalarAsync<string>("SELECT role FROM workflow_tasks WHERE id = @task", new { task }), Is.EqualTo("record-owner"));
            // Due 5 working days before the statutory due date.
            var due = await h.ScalarAsync<DateTime>("SELECT due_on FROM workflow_tasks WHERE id = @task", new { task });
            var clock = await h.ClockAsync(caseId);
            var calculator = h.Services.GetRequiredService<KccRights.Domain.Deadlines.DeadlineCalculator>();
            Assert.That(DateOnly.FromDateTime(due), Is.EqualTo(calculator.AddWorkingDays(clock.EffectiveDueOn, -5)));
        });

        // Late: the team is chased.
        var dueOn = DateOnly.FromDateTime(await h.ScalarAsync<DateTime>("SELECT due_on FROM workflow_tasks WHERE id = @task", new { task }));
        await h.AdvanceToAsync(KccRights.Domain.Deadlines.LondonTime.At(dueOn.AddDays(2), new TimeOnly(9, 0)));
        Assert.That(await h.LogAsync(caseId, "manual-search-chased"), Is.Not.Empty);
        Assert.That(await h.NotificationsAsync(caseId, "reminder-manual-search", "team"), Is.GreaterThanOrEqualTo(1));

        // A file that is not an allowed type is refused, and nothing is stored.
        var manual = h.Services.GetRequiredService<ManualSearches>();
        Assert.That(manual.Check([new ManualUpload("virus.exe", [0x4D, 0x5A, 0x90, 0x00])]), Has.One.Contains("must be a PDF"));
        Assert.That(manual.Check([new ManualUpload("big.pdf", new byte[manual.Options.MaxUploadBytes + 1])]), Has.One.Contains("MB or smaller"));

        // The record-owner uploads what SEND holds: a document of the case with the uploader as provenance; the case moves on.
        var pdf = "%PDF-1.4\n% a letter from the SEND file\n"u8.ToArray();
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await h.Engine.CompleteTaskAsync(transaction, task, ManualSearches.Uploaded, null, "send-owner", take: true);
            await manual.RecordAsync(transaction, caseId, task, ManualSearches.Uploaded, [new ManualUpload("EHCP review 2024.pdf", pdf)], "send-owner", CancellationToken.None);
            await transaction.CommitAsync();
        }

        var items = await h.Services.GetRequiredService<CollationStore>().ItemsAsync(caseId);
        var uploaded = items.Single(i => i.Sources.Any(s => s.Dataset == "manual-search"));
        Assert.Multiple(async () =>
        {
            Assert.That(uploaded.Sources.Single().UploadedBy, Is.EqualTo("send-owner"));
            Assert.That(uploaded.Sources.Single().System, Is.EqualTo("send"));
            Assert.That((await h.Services.GetRequiredService<CollationStore>().ProgressAsync(caseId)).Single(p => p.System == "send").Status, Is.EqualTo("searched"));
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("disclosure-review"));
        });
    }

    [Test]
    public async Task RetryingTheIncidentOnceTheSystemWorks_CollatesIt_AndCancelsTheManualSearch()
    {
        var broken = Settings(null, ("SourceSystems:Systems:{send}:Datasets:0:Query", "SELECT * FROM src_send.no_such_table WHERE @person_id IS NOT NULL"));
        await using var h = await WorkflowHarness.CreateAsync(Monday, settings: broken, connectionString: _connectionString);
        var subject = _people.Single(p => p.IsSubject && p.Systems.Contains("send"));
        var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await ConfirmMatchesAsync(h, caseId);
        await h.CompleteAsync(caseId, "confirmed");
        await h.AdvanceToAsync(h.Time.GetUtcNow().AddMinutes(10));
        var task = await h.ScalarAsync<long>("SELECT id FROM workflow_tasks WHERE case_id = @caseId AND type = 'manual-search' AND status = 'open'", new { caseId });
        var incident = await h.ScalarAsync<long>("SELECT id FROM incidents WHERE case_id = @caseId AND kind = 'collate-system' AND status = 'open'", new { caseId });

        // The system is mended (the service restarts with its right configuration) and an administrator retries the incident.
        await using var mended = await WorkflowHarness.CreateAsync(h.Time.GetUtcNow(), settings: Settings(), connectionString: _connectionString);
        Assert.That(await mended.Jobs.RetryIncidentAsync(incident, "admin"), Is.EqualTo(IncidentRetry.Retried));
        Assert.That(await mended.RunJobsAsync(), Is.GreaterThan(0));
        Assert.Multiple(async () =>
        {
            Assert.That((await mended.Services.GetRequiredService<CollationStore>().ProgressAsync(caseId)).Single(p => p.System == "send").Status, Is.EqualTo("done"));
            Assert.That(await mended.ScalarAsync<string>("SELECT status FROM workflow_tasks WHERE id = @task", new { task }), Is.EqualTo("cancelled"));
            Assert.That(await mended.LogAsync(caseId, "manual-search-cancelled"), Is.Not.Empty);
            Assert.That(await mended.StateAsync(caseId), Is.EqualTo("disclosure-review"));
        });
    }

    [Test]
    public async Task ASystemThatCannotBeSearched_BecomesAManualSearch_NeverASilentGap()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday, settings: Settings("a-wrong-token"), connectionString: _connectionString);
        var subject = _people.Single(p => p.IsSubject && p.Systems.Contains("youth-justice"));
        var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        var candidates = await h.Services.GetRequiredService<CandidateStore>().ListAsync(caseId);
        Assert.That(candidates.Select(c => c.System), Has.None.EqualTo("youth-justice"));
        await ConfirmMatchesAsync(h, caseId);
        await h.CompleteAsync(caseId, "confirmed");
        await h.RunJobsAsync();
        var progress = await h.Services.GetRequiredService<CollationStore>().ProgressAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(progress.Single(p => p.System == "youth-justice").Status, Is.EqualTo("manual"));
            Assert.That(progress.Single(p => p.System == "youth-justice").LastError, Does.Not.Contain("a-wrong-token"), "no secret in the error");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_tasks WHERE case_id = @caseId AND type = 'manual-search' AND team = 'Youth Justice' AND status = 'open'", new { caseId }), Is.EqualTo(1));
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("collation"));
        });

        // Nothing held: recorded by the record-owner, and the case moves on.
        var task = progress.Single(p => p.System == "youth-justice").ManualTaskId!.Value;
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await h.Engine.CompleteTaskAsync(transaction, task, ManualSearches.NothingHeld, null, "yj-owner", take: true);
            await h.Services.GetRequiredService<ManualSearches>().RecordAsync(transaction, caseId, task, ManualSearches.NothingHeld, [], "yj-owner", CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.That(await h.StateAsync(caseId), Is.EqualTo("disclosure-review"));
    }

    [Test]
    public async Task ARerunAfterALostCommit_LeavesNoDuplicateItems()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday, settings: Settings(), connectionString: _connectionString);
        var subject = _people.Single(p => p.Key == "P04");
        var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await ConfirmMatchesAsync(h, caseId);
        await h.CompleteAsync(caseId, "confirmed");
        await h.RunJobsAsync();
        async Task<(long, long)> Counts() => (
            await h.ScalarAsync<long>("SELECT count(*) FROM collation_items WHERE case_id = @caseId", new { caseId }),
            await h.ScalarAsync<long>("SELECT count(*) FROM collation_item_sources WHERE case_id = @caseId", new { caseId }));
        var before = await Counts();
        Assert.That(before.Item1, Is.GreaterThan(0));

        // A worker killed after its work but before the job was marked done: the job runs again from the start.
        await h.ScalarAsync<long>("UPDATE jobs SET status = 'pending', run_at = now() - interval '1 second', finished_at = NULL WHERE case_id = @caseId AND kind = 'collate-system' RETURNING 1", new { caseId });
        await h.RunJobsAsync();
        Assert.That(await Counts(), Is.EqualTo(before), "a re-run updates, never duplicates");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("disclosure-review"));
    }

    [Test]
    public async Task AWorkerKilledMidCollation_LeavesNoDuplicateItems_AndTheCaseStillMovesOn()
    {
        // The youth-justice API answers through a proxy that holds its first records request for 30 s: the worker
        // process collating it is killed (SIGKILL) while it waits, with the other systems already stored.
        await using var slow = SlowProxy.Start(_server.BaseAddress, TimeSpan.FromSeconds(30));
        var key = KccRights.Host.Composition.KccRightsWiring.ThrowawayEncryptionKey();
        var settings = Settings();
        settings[key.Key] = key.Value;
        await using var h = await WorkflowHarness.CreateAsync(Monday, settings: settings, connectionString: _connectionString);
        var subject = _people.Single(p => p.IsSubject && p.Systems.Contains("youth-justice"));
        var caseId = await h.OpenCaseAsync(Right.Access, shape: About(subject));
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await ConfirmMatchesAsync(h, caseId);

        var shipped = Path.Combine(AppContext.BaseDirectory, "source-systems.json");
        var index = new ConfigurationBuilder().AddJsonFile(shipped).Build().GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!.Systems.FindIndex(s => s.Id == "youth-justice");
        var environment = new Dictionary<string, string>
        {
            ["SourceSystems__File"] = shipped,
            [$"SourceSystems__Systems__{index}__BaseUrl"] = slow.BaseAddress.ToString(),
            ["SourceSystemSecrets__YouthJusticeToken"] = Token,
            ["SourceSystems__DemoServer__Enabled"] = "false",
            ["Storage__DataDirectory"] = _dataDirectory,
            [key.Key.Replace(":", "__", StringComparison.Ordinal)] = key.Value!,
        };
        await using var worker = await WorkerProcess.StartAsync(h.ConnectionString, "collator", workers: 4, leaseSeconds: 2, environment: environment);
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var task = (await h.OpenTaskAsync(caseId))!;
            await h.Engine.CompleteTaskAsync(transaction, task.Id, "confirmed", null, "officer-a", take: true);
            await transaction.CommitAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(90);
        async Task<string> RunsAsync() => string.Join(", ", (await h.Services.GetRequiredService<CollationStore>().ProgressAsync(caseId)).Select(p => $"{p.System}={p.Status}"));
        while (slow.Held == 0 || await h.ScalarAsync<long>("SELECT count(*) FROM collation_runs WHERE case_id = @caseId AND system <> 'youth-justice' AND status NOT IN ('done')", new { caseId }) > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the worker did not reach the youth-justice request with the others done (held {slow.Held}; {await RunsAsync()}): {worker.Errors}");
            await Task.Delay(100);
        }

        Assert.That(await h.ScalarAsync<string>("SELECT status FROM collation_runs WHERE case_id = @caseId AND system = 'youth-justice'", new { caseId }), Is.EqualTo("running"));
        var before = await h.ScalarAsync<long>("SELECT count(*) FROM collation_item_sources WHERE case_id = @caseId", new { caseId });
        await worker.KillAsync();
        slow.Release();

        // Another worker (this test's) takes the job over once its lease has lapsed, and finishes the collation.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await h.RunJobsAsync();
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("disclosure-review"));
        var sources = (await h.Services.GetRequiredService<CollationStore>().ItemsAsync(caseId)).SelectMany(i => i.Sources).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(sources.Count, Is.GreaterThan(before), "youth justice was collated after the kill");
            Assert.That(sources.GroupBy(s => (s.System, s.Dataset, s.RecordId)).Where(g => g.Count() > 1), Is.Empty, "no duplicate provenance");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) - count(DISTINCT content_hash) FROM collation_items WHERE case_id = @caseId", new { caseId }), Is.Zero, "no duplicate item");
            foreach (var (dataset, ids) in _truth.Records[subject.Key]["youth-justice"])
            {
                Assert.That(sources.Where(s => s.System == "youth-justice" && s.Dataset == dataset && !s.RecordId.Contains('/', StringComparison.Ordinal)).Select(s => s.RecordId), Is.EquivalentTo(ids), dataset);
            }

            Assert.That(await h.ScalarAsync<int>("SELECT attempts FROM jobs WHERE case_id = @caseId AND kind = 'collate-system' AND payload->>'system' = 'youth-justice'", new { caseId }), Is.EqualTo(2), "the killed attempt, then the one that finished");
        });
    }

    /// <summary>A loopback HTTP proxy that holds every request until released (or the hold times out), then forwards it.</summary>
    private sealed class SlowProxy : IAsyncDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private readonly HttpClient _client = new();
        private readonly Uri _target;
        private readonly TimeSpan _hold;
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;

        private SlowProxy(Uri target, TimeSpan hold, int port)
        {
            _target = target;
            _hold = hold;
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(BaseAddress.ToString());
        }

        public Uri BaseAddress { get; }

        public int Held => Volatile.Read(ref _held);

        public static SlowProxy Start(Uri target, TimeSpan hold)
        {
            var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var proxy = new SlowProxy(target, hold, port);
            proxy._listener.Start();
            _ = proxy.ServeAsync();
            return proxy;
        }

        public void Release() => _released.TrySetResult();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    try
                    {
                        Interlocked.Increment(ref _held);
                        await Task.WhenAny(_released.Task, Task.Delay(_hold));
                        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_target, context.Request.RawUrl!.TrimStart('/')));
                        if (context.Request.Headers["Authorization"] is { } auth)
                        {
                            request.Headers.TryAddWithoutValidation("Authorization", auth);
                        }

                        using var response = await _client.SendAsync(request);
                        context.Response.StatusCode = (int)response.StatusCode;
                        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
                        var body = await response.Content.ReadAsByteArrayAsync();
                        await context.Response.OutputStream.WriteAsync(body);
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is System.Net.HttpListenerException or IOException or HttpRequestException or ObjectDisposedException)
                    {
                        // The caller was killed: nothing to answer.
                    }
                });
            }
        }

        public async ValueTask DisposeAsync()
        {
            Release();
            _listener.Close();
            _client.Dispose();
            await Task.CompletedTask;
        }
    }
}
