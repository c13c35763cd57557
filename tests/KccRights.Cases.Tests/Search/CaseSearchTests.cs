using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Cases;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace KccRights.Cases.Tests.Search;

/// <summary>The case search against a real PostgreSQL, with sealed parties and the blind index (issue 14 item 2, ADR 0007).</summary>
public class CaseSearchTests
{
    private static readonly string[] FirstNames = ["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Leo", "Ivy", "Jane", "Joan", "Arthur", "Freya", "Oscar"];
    private static readonly string[] Surnames = ["Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Green", "Smith", "Hughes"];

    private NpgsqlDataSource _dataSource = null!;
    private FakeTimeProvider _time = null!;
    private ClockStore _clocks = null!;
    private TestCipher _cipher = null!;
    private CaseOpener _opener = null!;
    private CaseSearch _search = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 14, 0, TimeSpan.Zero));
        _clocks = new ClockStore(_dataSource, new DeadlineCalculator(BankHolidayFile.Load()), _time, NullLogger<ClockStore>.Instance);
        _cipher = new TestCipher();
        _opener = new CaseOpener(_clocks, null!, _cipher, _time);
        _search = new CaseSearch(_dataSource, _cipher, new CaseSearchIndex(_cipher));
    }

    [TearDown]
    public ValueTask TearDown() => _dataSource.DisposeAsync();

    private async Task<(long Id, string Reference)> OpenAsync(string requester, string? subject, string? email = null, DateOnly? dob = null, Right right = Right.Access)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var opened = await _opener.OpenAsync(transaction, new OpenCaseCommand
        {
            Right = right,
            Channel = "email",
            ReceivedAt = _time.GetUtcNow(),
            Actor = "test",
            Relationship = subject is null ? "self" : "child",
            Parties = new CaseRequestParties { RequesterName = requester, RequesterEmail = email, SubjectName = subject },
            Details = dob is null ? null : new CaseRequestDetails { SubjectDob = dob },
        });
        await transaction.CommitAsync();
        return (opened.Id, opened.Reference.ToString());
    }

    private async Task CloseAsync(long caseId)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("UPDATE cases SET status = 'closed', closed_at = now() WHERE id = @caseId", new { caseId }, transaction);
        await _clocks.CloseAsync(caseId, "test", transaction);
        await transaction.CommitAsync();
    }

    /// <summary>Other cases, none of them close to John Smith: other first names with Smith, Jane and Joan among them.</summary>
    private async Task OpenOthersAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var subject = $"{FirstNames[i % FirstNames.Length]} {Surnames[i / FirstNames.Length % Surnames.Length]}";
            await OpenAsync($"Parent {Surnames[(i + 3) % Surnames.Length]}", subject, $"parent{i}@example.org", new DateOnly(2010, 1, 1).AddDays(i));
        }
    }

    [Test]
    public async Task AClosedCase_IsFoundByTheSubjectsMisspeltName_ByEmail_AndByDateOfBirth()
    {
        await OpenOthersAsync(180);
        var (id, reference) = await OpenAsync("Mary Smith", "John Smith", "Mary.Smith@Example.org", new DateOnly(2012, 3, 9));
        await CloseAsync(id);

        var byName = await _search.SearchAsync(new CaseSearchQuery { Text = "Jon Smyth" });
        var byEmail = await _search.SearchAsync(new CaseSearchQuery { Text = "mary.smith@example.ORG" });
        var byDob = await _search.SearchAsync(new CaseSearchQuery { Text = "9/3/2012" });
        var byReference = await _search.SearchAsync(new CaseSearchQuery { Text = reference.ToLowerInvariant() });
        var closedOnly = await _search.SearchAsync(new CaseSearchQuery { Text = "Jon Smyth", Status = "closed" });
        var openOnly = await _search.SearchAsync(new CaseSearchQuery { Text = "Jon Smyth", Status = "open" });

        Assert.Multiple(() =>
        {
            // John Smith, and Joan Smith (Jon is one letter from each); not Jane Smith, not the other Smiths, not the rest.
            Assert.That(byName.Cases.Select(c => c.Reference), Does.Contain(reference));
            Assert.That(byName.Cases.Select(c => c.SubjectName), Is.EquivalentTo(new[] { "John Smith", "Joan Smith" }));
            var found = byName.Cases.Single(c => c.Reference == reference);
            Assert.That(found.RequesterName, Is.EqualTo("Mary Smith"));
            Assert.That(found.Status, Is.EqualTo("closed"));
            Assert.That(byEmail.Cases.Select(c => c.Reference), Is.EqualTo(new[] { reference }));
            Assert.That(byDob.Cases.Select(c => c.Reference), Is.EqualTo(new[] { reference }));
            Assert.That(byReference.Cases.Select(c => c.Reference), Is.EqualTo(new[] { reference }));
            Assert.That(closedOnly.Cases.Select(c => c.Reference), Is.EqualTo(new[] { reference }));
            Assert.That(openOnly.Cases.Select(c => c.SubjectName), Is.EqualTo(new[] { "Joan Smith" }));
        });
    }

    [Test]
    public async Task ANearName_DoesNotBringEveryCase()
    {
        await OpenOthersAsync(180);

        var smith = await _search.SearchAsync(new CaseSearchQuery { Text = "Smith", Limit = 500 });
        var janeSmith = await _search.SearchAsync(new CaseSearchQuery { Text = "Jane Smyth" });
        var nobody = await _search.SearchAsync(new CaseSearchQuery { Text = "Xavier Quigley" });

        Assert.Multiple(() =>
        {
            // Smith is the subject's surname in 15 cases and the requester's ("Parent Smith") in 15, two of them both.
            Assert.That(smith.Total, Is.EqualTo(28));
            Assert.That(smith.Cases.All(c => c.SubjectName!.Contains("Smith", StringComparison.Ordinal) || c.RequesterName!.Contains("Smith", StringComparison.Ordinal)));
            // One name must hold both words: not Jane Jones asked for by Parent Smith.
            Assert.That(janeSmith.Cases.Select(c => c.SubjectName), Is.EqualTo(new[] { "Jane Smith" }));
            Assert.That(nobody.Total, Is.Zero);
        });
    }

    [Test]
    public async Task Filters_NarrowTheSearch()
    {
        var (access, _) = await OpenAsync("Mary Smith", "John Smith");
        await OpenAsync("Mary Smith", "John Smith", right: Right.Erasure);
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE cases SET assigned_to = 'officer-1' WHERE id = @access", new { access });
        }

        var erasure = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith", Right = "erasure" });
        var mine = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith", Officer = "officer-1" });
        var receivedToday = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith", ReceivedFrom = new DateOnly(2026, 3, 2), ReceivedTo = new DateOnly(2026, 3, 2) });
        var receivedEarlier = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith", ReceivedTo = new DateOnly(2026, 3, 1) });
        var dueLater = await _search.SearchAsync(new CaseSearchQuery { DueFrom = new DateOnly(2026, 4, 1), DueTo = new DateOnly(2026, 4, 30) });

        Assert.Multiple(() =>
        {
            Assert.That(erasure.Cases.Select(c => c.RightCode), Is.EqualTo(new[] { "erasure" }));
            Assert.That(mine.Cases.Select(c => c.Id), Is.EqualTo(new[] { access }));
            Assert.That(receivedToday.Total, Is.EqualTo(2));
            Assert.That(receivedEarlier.Total, Is.Zero);
            Assert.That(dueLater.Total, Is.EqualTo(2), "filters alone list cases (due 2 April 2026)");
        });
    }

    [Test]
    public async Task RowsWithoutTokens_AreIndexedAtStart_AndAfterAKeyChange()
    {
        var (id, _) = await OpenAsync("Mary Smith", "John Smith", "mary@example.org");
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("DELETE FROM case_search_tokens; UPDATE case_requests SET search_key_id = NULL");
        }

        var before = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith" });
        var indexed = await new CaseSearchIndex(_cipher).IndexStaleRowsAsync(_dataSource, _cipher);
        var after = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith" });
        var again = await new CaseSearchIndex(_cipher).IndexStaleRowsAsync(_dataSource, _cipher);

        // A new key (rotation): every row is indexed again, and found with the new key's tokens.
        var rotated = new TestCipher(_cipher);
        var reindexed = await new CaseSearchIndex(rotated).IndexStaleRowsAsync(_dataSource, rotated);
        var afterRotation = await new CaseSearch(_dataSource, rotated, new CaseSearchIndex(rotated)).SearchAsync(new CaseSearchQuery { Text = "mary@example.org" });

        Assert.Multiple(() =>
        {
            Assert.That(before.Total, Is.Zero);
            Assert.That(indexed, Is.EqualTo(1));
            Assert.That(after.Cases.Select(c => c.Id), Is.EqualTo(new[] { id }));
            Assert.That(again, Is.Zero, "nothing to do once done");
            Assert.That(reindexed, Is.EqualTo(1));
            Assert.That(afterRotation.Cases.Select(c => c.Id), Is.EqualTo(new[] { id }));
        });
    }

    /// <summary>The service's cipher shape with keys made for the test; a rotated one keeps opening the old key's values.</summary>
    [Test]
    public async Task ARowSealedWithAKeyNotConfigured_IsSkipped_AndTheOthersAreStillIndexed()
    {
        // A case opened by a service holding another key (or a key since removed): its parties cannot be opened here.
        var stranger = new TestCipher();
        var strangeOpener = new CaseOpener(_clocks, null!, stranger, _time);
        long strangeId;
        await using (var connection = await _dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            strangeId = (await strangeOpener.OpenAsync(transaction, new OpenCaseCommand
            {
                Right = Right.Access,
                Channel = "email",
                ReceivedAt = _time.GetUtcNow(),
                Actor = "test",
                Relationship = "self",
                Parties = new CaseRequestParties { RequesterName = "Kim Other" },
            })).Id;
            await transaction.CommitAsync();
        }

        var (id, _) = await OpenAsync("Mary Smith", "John Smith", "mary@example.org");
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("DELETE FROM case_search_tokens; UPDATE case_requests SET search_key_id = NULL");
        }

        var unreadable = new List<long>();
        var indexed = await new CaseSearchIndex(_cipher).IndexStaleRowsAsync(_dataSource, _cipher, unreadable);
        var found = await _search.SearchAsync(new CaseSearchQuery { Text = "John Smith" });

        Assert.Multiple(() =>
        {
            Assert.That(indexed, Is.EqualTo(1), "the readable case is indexed");
            Assert.That(unreadable, Is.EqualTo(new[] { strangeId }), "the unreadable one is reported by id, not thrown");
            Assert.That(found.Cases.Select(c => c.Id), Is.EqualTo(new[] { id }));
        });
    }

    private sealed class TestCipher : IPersonalDataCipher
    {
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(SealedData.KeySize);
        private readonly Dictionary<string, byte[]> _keys = [];

        public TestCipher(TestCipher? previous = null)
        {
            _keys[SealedData.KeyIdOf(_key)] = _key;
            foreach (var (id, key) in previous?._keys ?? [])
            {
                _keys.TryAdd(id, key);
            }
        }

        public byte[] Seal(string text, string context) => SealedData.Seal(_key, Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(context));

        public string Open(byte[] sealedValue, string context) =>
            Encoding.UTF8.GetString(SealedData.Open(id => _keys.GetValueOrDefault(id), sealedValue, Encoding.UTF8.GetBytes(context)));

        public bool IsCurrent(string keyId) => keyId == SealedData.KeyIdOf(_key);

        public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);
    }
}
