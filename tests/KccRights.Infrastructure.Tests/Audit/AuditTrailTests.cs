using Dapper;
using KccRights.Infrastructure.Audit;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Infrastructure.Tests.Audit;

/// <summary>
/// The audit trail cannot be edited (issue 9 item 8): UPDATE, DELETE and TRUNCATE are refused, and a change made
/// around the triggers by a superuser breaks the hash chain, which <see cref="AuditChain.VerifyAsync"/> finds.
/// </summary>
public class AuditTrailTests
{
    private string _connectionString = null!;
    private NpgsqlDataSource _dataSource = null!;
    private AuditLog _audit = null!;

    [SetUp]
    public async Task SetUp()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        _audit = new AuditLog(_dataSource, TimeProvider.System);
    }

    [TearDown]
    public ValueTask TearDown() => _dataSource.DisposeAsync();

    private async Task RecordThreeAsync()
    {
        await _audit.RecordAsync("officer-1", "officer", "case.view", null, detail: new { page = 1 });
        await _audit.RecordAsync("officer-2", "officer", "case.note", null, allowed: false, detail: new { reason = "not theirs" });
        await _audit.RecordAsync("dpo-1", "dpo", "case.export", null);
    }

    /// <summary>The owner's connection with the triggers off, as a superuser editing the table by hand would.</summary>
    private async Task TamperAsync(string sql)
    {
        await using var owner = new NpgsqlConnection(TestPostgres.OwnerConnectionString(_connectionString));
        await owner.OpenAsync();
        await owner.ExecuteAsync("SET session_replication_role = replica");
        await owner.ExecuteAsync(sql);
    }

    [TestCase("UPDATE audit_events SET outcome = 'allowed'")]
    [TestCase("DELETE FROM audit_events")]
    [TestCase("TRUNCATE audit_events")]
    public async Task ChangingTheTrail_AsTheService_IsRefused(string sql)
    {
        await RecordThreeAsync();
        await using var connection = await _dataSource.OpenConnectionAsync();

        Assert.That(async () => await connection.ExecuteAsync(sql), Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.InsufficientPrivilege));
    }

    [TestCase("UPDATE audit_events SET outcome = 'allowed'")]
    [TestCase("DELETE FROM audit_events")]
    [TestCase("TRUNCATE audit_events")]
    public async Task ChangingTheTrail_EvenAsTheOwner_IsRefusedByTheTriggers(string sql)
    {
        await RecordThreeAsync();
        await using var owner = new NpgsqlConnection(TestPostgres.OwnerConnectionString(_connectionString));
        await owner.OpenAsync();

        Assert.That(async () => await owner.ExecuteAsync(sql), Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.MessageText)).Contains("append-only"));
    }

    [Test]
    public async Task AnUntouchedTrail_Verifies()
    {
        await RecordThreeAsync();

        var report = await AuditChain.VerifyAsync(_dataSource);

        Assert.Multiple(() =>
        {
            Assert.That(report.Problem, Is.Null);
            Assert.That(report.EventsChecked, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task ARowEditedAroundTheTriggers_IsTheFirstBrokenLink()
    {
        await RecordThreeAsync();
        var second = await _dataSource.CreateCommand("SELECT id FROM audit_events WHERE seq = 2").ExecuteScalarAsync();
        await TamperAsync("UPDATE audit_events SET outcome = 'allowed', detail = '{}' WHERE seq = 2");

        var report = await AuditChain.VerifyAsync(_dataSource);

        Assert.Multiple(() =>
        {
            Assert.That(report.Intact, Is.False);
            Assert.That(report.BrokenAtSeq, Is.EqualTo(2));
            Assert.That(report.BrokenAtId, Is.EqualTo(second));
            Assert.That(report.EventsChecked, Is.EqualTo(1));
            Assert.That(report.Problem, Does.Contain("content"));
        });
    }

    [Test]
    public async Task ARowDeletedAroundTheTriggers_Shows()
    {
        await RecordThreeAsync();
        await TamperAsync("DELETE FROM audit_events WHERE seq = 2");

        var report = await AuditChain.VerifyAsync(_dataSource);

        Assert.Multiple(() =>
        {
            Assert.That(report.Intact, Is.False);
            Assert.That(report.BrokenAtSeq, Is.EqualTo(3));
            Assert.That(report.Problem, Does.Contain("missing"));
        });
    }

    [Test]
    public async Task TheLastRowDeletedAroundTheTriggers_Shows()
    {
        await RecordThreeAsync();
        await TamperAsync("DELETE FROM audit_events WHERE seq = 3");

        var report = await AuditChain.VerifyAsync(_dataSource);

        Assert.Multiple(() =>
        {
            Assert.That(report.Intact, Is.False);
            Assert.That(report.Problem, Does.Contain("removed"));
        });
    }

    [Test]
    public async Task ConcurrentRecords_FromManyConnections_FormOneUnbrokenChain()
    {
        // Inserts in parallel transactions, some committing late: each waits for the head, none forks the chain.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await using var connection = await _dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await _audit.RecordAsync($"worker-{worker}", "officer", "case.view", null, detail: new { i }, transaction: transaction);
                await Task.Delay(i % 3);
                await transaction.CommitAsync();
            }
        })));

        var report = await AuditChain.VerifyAsync(_dataSource);

        Assert.Multiple(() =>
        {
            Assert.That(report.Problem, Is.Null);
            Assert.That(report.EventsChecked, Is.EqualTo(80));
        });
    }
}
