using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace KccRights.Cases.Tests;

/// <summary>Stored statutory clocks against a real PostgreSQL: every change recalculates and keeps history in one transaction.</summary>
public class ClockStoreTests
{
    private NpgsqlDataSource _dataSource = null!;
    private FakeTimeProvider _time = null!;
    private ClockStore _store = null!;
    private BankHolidayCalendar _calendar = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 14, 0, TimeSpan.Zero));
        _calendar = BankHolidayFile.Load();
        _store = new ClockStore(_dataSource, new DeadlineCalculator(_calendar), _time, NullLogger<ClockStore>.Instance);
    }

    [TearDown]
    public ValueTask TearDown() => _dataSource.DisposeAsync();

    private async Task<long> OpenCaseAsync(DateTimeOffset receivedAt, DateOnly? receivedOn = null)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var (id, _) = await CaseStore.CreateAsync(transaction, Right.Access, receivedAt.Year, "email");
        await _store.OpenAsync(transaction, id, receivedAt, receivedOn, "officer-1");
        await transaction.CommitAsync();
        return id;
    }

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task Open_StoresTheLondonReceivedDateAndTheDueDates()
    {
        // 23:30 UTC on 31 March 2026 is 00:30 on 1 April in London.
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 31, 23, 30, 0, TimeSpan.Zero));

        var clock = await _store.GetAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(clock!.ReceivedOn, Is.EqualTo(D("2026-04-01")));
            Assert.That(clock.DueOn, Is.EqualTo(D("2026-05-01")));
            Assert.That(clock.EffectiveDueOn, Is.EqualTo(clock.DueOn));
            Assert.That(clock.NoticeBy, Is.EqualTo(clock.DueOn));
            Assert.That(clock.IsOpen, Is.True);
        });
    }

    [Test]
    public async Task Open_ByHandWithARealReceivedDate_UsesThatDate()
    {
        var id = await OpenCaseAsync(_time.GetUtcNow(), receivedOn: D("2026-01-31"));

        var clock = await _store.GetAsync(id);

        Assert.That(clock!.DueOn, Is.EqualTo(D("2026-03-02")));
    }

    [Test]
    public async Task PauseAndResume_StoreTheWorkedExampleAndKeepHistory()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 2, 9, 14, 0, TimeSpan.Zero));

        var paused = await _store.PauseAsync(id, D("2026-03-04"), "Asked which school years", "officer-1");
        var resumed = await _store.ResumeAsync(id, D("2026-03-13"), "officer-1");
        var history = await _store.HistoryAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(paused.IsPaused, Is.True);
            Assert.That(resumed.IsPaused, Is.False);
            Assert.That(resumed.PausedDays, Is.EqualTo(10));
            Assert.That(resumed.DueOn, Is.EqualTo(D("2026-04-13")));
            Assert.That(resumed.Pauses.Single().Reason, Is.EqualTo("Asked which school years"));
            Assert.That(history.Select(h => h.Change), Is.EqualTo(new[] { "opened", "paused", "resumed" }));
            Assert.That(history[^1].DueOn, Is.EqualTo(D("2026-04-13")));
            Assert.That(resumed.Version, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task IdReceived_RestartsTheMonth()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2025, 9, 3, 9, 0, 0, TimeSpan.Zero));

        var clock = await _store.RecordIdReceivedAsync(id, D("2025-09-10"), "officer-1");

        Assert.Multiple(() =>
        {
            Assert.That(clock.ClockStart, Is.EqualTo(D("2025-09-10")));
            Assert.That(clock.DueOn, Is.EqualTo(D("2025-10-10")));
        });
    }

    [Test]
    public async Task Extend_WithinTheFirstMonth_MovesTheEffectiveDueDate()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 7, 31, 9, 0, 0, TimeSpan.Zero));
        _time.SetUtcNow(new DateTimeOffset(2026, 8, 20, 9, 0, 0, TimeSpan.Zero));

        var clock = await _store.ExtendAsync(id, "Complex: records in five systems", "dpo-1");

        Assert.Multiple(() =>
        {
            Assert.That(clock.Extended, Is.True);
            Assert.That(clock.EffectiveDueOn, Is.EqualTo(D("2026-11-02")));
            Assert.That(clock.ExtensionReason, Is.EqualTo("Complex: records in five systems"));
        });
    }

    [Test]
    public async Task Extend_AfterTheNoticeDate_IsRefusedAndChangesNothing()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 7, 31, 9, 0, 0, TimeSpan.Zero));
        _time.SetUtcNow(new DateTimeOffset(2026, 9, 2, 9, 0, 0, TimeSpan.Zero));

        Assert.That(async () => await _store.ExtendAsync(id, "Too late", "dpo-1"), Throws.TypeOf<ClockChangeRefusedException>().With.Message.Contains("2026-09-01"));
        var clock = await _store.GetAsync(id);
        Assert.Multiple(async () =>
        {
            Assert.That(clock!.Extended, Is.False);
            Assert.That(clock.Version, Is.EqualTo(1));
            Assert.That(await _store.HistoryAsync(id), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Resume_BeforeThePauseStarted_IsRefusedAndLeavesThePauseOpen()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await _store.PauseAsync(id, D("2026-03-10"), "Asked which records", "officer-1");

        Assert.That(async () => await _store.ResumeAsync(id, D("2026-03-09"), "officer-1"), Throws.TypeOf<ClockChangeRefusedException>());
        var clock = await _store.GetAsync(id);
        Assert.That(clock!.IsPaused, Is.True);
    }

    [Test]
    public async Task Pause_WhileAlreadyPaused_IsRefused()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await _store.PauseAsync(id, D("2026-03-04"), "Asked", "officer-1");

        Assert.That(async () => await _store.PauseAsync(id, D("2026-03-05"), "Again", "officer-1"), Throws.TypeOf<ClockChangeRefusedException>());
    }

    [Test]
    public async Task Change_OnAClosedCase_IsRefused()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await _store.CloseAsync(id, "officer-1");

        Assert.That(async () => await _store.RecordIdReceivedAsync(id, D("2026-03-05"), "officer-1"), Throws.TypeOf<ClockChangeRefusedException>());
    }

    [Test]
    public async Task Change_InsideACallersTransactionThatRollsBack_LeavesNothing()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

        await using (var connection = await _dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await _store.PauseAsync(id, D("2026-03-04"), "Asked", "officer-1", transaction);
            await transaction.RollbackAsync();
        }

        var clock = await _store.GetAsync(id);
        Assert.Multiple(async () =>
        {
            Assert.That(clock!.IsPaused, Is.False);
            Assert.That(clock.Pauses, Is.Empty);
            Assert.That(await _store.HistoryAsync(id), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task ConcurrentChanges_AreSerialisedByTheRowLock()
    {
        var id = await OpenCaseAsync(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

        await Task.WhenAll(
            _store.RecordIdReceivedAsync(id, D("2026-03-05"), "officer-1"),
            _store.RecordFeePaidAsync(id, D("2026-03-06"), "officer-2"));

        var clock = await _store.GetAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(clock!.Version, Is.EqualTo(3));
            Assert.That(clock.ClockStart, Is.EqualTo(D("2026-03-06")));
            Assert.That(clock.IdReceivedOn, Is.EqualTo(D("2026-03-05")));
        });
    }

    [Test]
    public async Task Queries_FindDueSoonOverdueAndPausedByStoredDate()
    {
        var dueSoon = await OpenCaseAsync(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero)); // due Tue 7 April
        var overdue = await OpenCaseAsync(new DateTimeOffset(2026, 2, 2, 9, 0, 0, TimeSpan.Zero)); // due Mon 2 March
        var later = await OpenCaseAsync(new DateTimeOffset(2026, 3, 25, 9, 0, 0, TimeSpan.Zero)); // due 27 April
        var paused = await OpenCaseAsync(new DateTimeOffset(2026, 3, 4, 9, 0, 0, TimeSpan.Zero));
        await _store.PauseAsync(paused, D("2026-03-06"), "Asked", "officer-1");
        var closed = await OpenCaseAsync(new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.Zero));
        await _store.CloseAsync(closed, "officer-1");

        // Wed 1 April 2026: 5 working days ahead is Thu 9 April (Good Friday and Easter Monday skipped).
        _time.SetUtcNow(new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero));

        Assert.Multiple(async () =>
        {
            Assert.That((await _store.DueWithinAsync(5)).Select(c => c.CaseId), Is.EqualTo(new[] { dueSoon }));
            Assert.That((await _store.OverdueAsync()).Select(c => c.CaseId), Is.EqualTo(new[] { overdue }));
            Assert.That((await _store.PausedAsync()).Select(c => c.CaseId), Is.EqualTo(new[] { paused }));
            Assert.That((await _store.DueWithinAsync(20)).Select(c => c.CaseId), Does.Contain(later));
        });
    }

    [Test]
    public async Task Recalculate_AfterAOneOffHolidayIsAdded_MovesAffectedDatesAndRecordsWhy()
    {
        // Received Thu 7 May 2026 -> due Sun 7 June -> Mon 8 June. A one-off holiday on Mon 8 June moves it to Tue 9 June.
        var affected = await OpenCaseAsync(new DateTimeOffset(2026, 5, 7, 9, 0, 0, TimeSpan.Zero));
        var unaffected = await OpenCaseAsync(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero));
        var changedCalendar = new BankHolidayCalendar(_calendar.Holidays.Append(D("2026-06-08")));
        var store = new ClockStore(_dataSource, new DeadlineCalculator(changedCalendar), _time, NullLogger<ClockStore>.Instance);

        var result = await store.RecalculateOpenAsync("test");

        Assert.Multiple(async () =>
        {
            Assert.That(result.OpenCases, Is.EqualTo(2));
            Assert.That(result.Changed, Is.EqualTo(1));
            Assert.That((await store.GetAsync(affected))!.DueOn, Is.EqualTo(D("2026-06-09")));
            Assert.That((await store.GetAsync(unaffected))!.DueOn, Is.EqualTo(D("2026-04-07")));
            Assert.That((await store.HistoryAsync(affected))[^1].Change, Is.EqualTo("recalculated"));
            Assert.That(await store.StoredCalendarFingerprintAsync(), Is.EqualTo(changedCalendar.Fingerprint));
        });
    }

    [Test]
    public async Task Schema_HasTheDueDateIndexUsedByTheQueue()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        var indexes = (await connection.QueryAsync<string>("SELECT indexname FROM pg_indexes WHERE tablename = 'case_clocks'")).ToList();

        Assert.That(indexes, Does.Contain("case_clocks_running_due").And.Contain("case_clocks_paused"));
    }
}
