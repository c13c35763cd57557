using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using KccRights.Cases;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Response;
using KccRights.Disclosure.Review;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using UglyToad.PdfPig;

namespace KccRights.Disclosure.Tests;

/// <summary>
/// The draft response (issue 13 Builds 4 and 5) on a real PostgreSQL: the render-response job with fake items and
/// decisions, what the PDF holds (and does not), the refusal of an unfinished review, versions, currency and approval.
/// </summary>
[NonParallelizable]
public sealed class ResponseTests
{
    private const string ThirdParty = "Sam Jones";
    private const string ThirdPartyPhone = "07700 900123";
    private const string WithheldSecret = "Withheld adoption placement note";
    private const string OutOfScope = "Out of scope record 2009";

    private static readonly DateTimeOffset Decided = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private NpgsqlDataSource _dataSource = null!;
    private TestCipher _cipher = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        DapperSetup.Configure();
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        _cipher = new TestCipher();
    }

    [OneTimeTearDown]
    public async Task DropDataSource() => await _dataSource.DisposeAsync();

    [Test]
    public async Task Render_StoresASealedVersion_WhosePdfHoldsNoRedactedOrWithheldOrOutOfScopeText()
    {
        var caseId = await NewCaseAsync();
        var fakes = new Fakes(Items(), CompleteDecisions());
        var store = new ResponseStore(_dataSource, _cipher);

        await RenderAsync(fakes, store, caseId, jobId: 1001);

        var latest = await store.LatestAsync(caseId, CancellationToken.None);
        Assert.That(latest, Is.Not.Null);
        var text = PdfText(latest!.Pdf);
        Assert.Multiple(() =>
        {
            Assert.That(latest.Version, Is.EqualTo(1));
            Assert.That(latest.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(latest.Pdf))));
            Assert.That(latest.PageCount, Is.EqualTo(PageCount(latest.Pdf)));
            Assert.That(text, Does.Contain("Jade Parker"), "the subject's own data is disclosed");
            Assert.That(text, Does.Contain("Attended the review meeting"));
            Assert.That(text, Does.Not.Contain(ThirdParty));
            Assert.That(text, Does.Not.Contain("Jones"));
            Assert.That(text, Does.Not.Contain(ThirdPartyPhone));
            Assert.That(text, Does.Not.Contain(WithheldSecret));
            Assert.That(text, Does.Not.Contain(OutOfScope));
            Assert.That(text, Does.Contain("Redacted: TP"));
        });

        // Sealed at rest: neither the PDF nor the log is readable in the table.
        await using var connection = await _dataSource.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(byte[] Pdf, byte[] Log, string By)>("SELECT sealed_pdf, sealed_redaction_log, rendered_by FROM disclosure_responses WHERE case_id = @caseId", new { caseId });
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.ASCII.GetString(row.Pdf), Does.Not.Contain("%PDF"));
            Assert.That(Encoding.UTF8.GetString(row.Log), Does.Not.Contain("withheld"));
            Assert.That(row.By, Is.EqualTo("officer-a"));
        });

        var log = await store.RedactionLogAsync(caseId, 1, CancellationToken.None);
        Assert.That(log, Does.Contain("1,text,").And.Contain(",TP,redacted,").And.Contain("2,whole item,,,ADOPT,withheld"));
        Assert.That(log!.Split('\n').Where(l => l.StartsWith("3,", StringComparison.Ordinal)), Is.Empty, "an out-of-scope item is not in the log either");
        var status = await store.StatusAsync(caseId, CancellationToken.None);
        Assert.That(status, Is.Null, "no job row: the status comes from the job");
    }

    [Test]
    public async Task Render_OfAnUnfinishedReview_StoresNoPdf_AndSaysWhy()
    {
        var caseId = await NewCaseAsync();
        var decisions = CompleteDecisions().Where(d => d.ItemId != 2).ToList();
        var store = new ResponseStore(_dataSource, _cipher);
        var jobId = await InsertJobAsync(caseId);

        await RenderAsync(new Fakes(Items(), decisions), store, caseId, jobId);

        Assert.That(await store.LatestAsync(caseId, CancellationToken.None), Is.Null);
        var status = await store.StatusAsync(caseId, CancellationToken.None);
        Assert.That(status!.Status, Is.EqualTo(RenderStatus.Failed));
        Assert.That(status.Reason, Does.Contain("The review is not finished: 1 of 2 items have no decision"));
        var (current, refusal) = await new ResponseDrafts(store, new ResponseDecisions([new Fakes(Items(), decisions)])).CurrentAsync(caseId, CancellationToken.None);
        Assert.That(current, Is.Null);
        Assert.That(refusal, Does.Contain("no version has been rendered"));
    }

    [Test]
    public async Task Render_Again_MakesTheNextVersion_AndOnlyAVersionOfTheCurrentReviewIsCurrent()
    {
        var caseId = await NewCaseAsync();
        var fakes = new Fakes(Items(), CompleteDecisions());
        var store = new ResponseStore(_dataSource, _cipher);
        var drafts = new ResponseDrafts(store, new ResponseDecisions([fakes]));
        var job1 = await InsertJobAsync(caseId);
        await RenderAsync(fakes, store, caseId, job1);
        Assert.That((await store.StatusAsync(caseId, CancellationToken.None))!, Has.Property(nameof(RenderStatus.Status)).EqualTo(RenderStatus.Ready).And.Property(nameof(RenderStatus.Version)).EqualTo(1));
        Assert.That((await drafts.CurrentAsync(caseId, CancellationToken.None)).Current!.Version, Is.EqualTo(1));

        // The reviewer withholds item 1 too: version 1 no longer shows the review as it stands.
        fakes.Decisions = [.. CompleteDecisions().Where(d => d.ItemId != 1), new ItemDecision(1, DisclosureDecision.Withhold, [], "TP", "third party throughout", "officer-a", Decided.AddHours(1))];
        var (stale, refusal) = await drafts.CurrentAsync(caseId, CancellationToken.None);
        Assert.That(stale, Is.Null);
        Assert.That(refusal, Does.Contain("review changed after version 1"));

        var job2 = await InsertJobAsync(caseId);
        await RenderAsync(fakes, store, caseId, job2);
        var versions = await store.VersionsAsync(caseId, CancellationToken.None);
        Assert.That(versions.Select(v => v.Version), Is.EqualTo(new[] { 2, 1 }));
        Assert.That((await drafts.CurrentAsync(caseId, CancellationToken.None)).Current!.Version, Is.EqualTo(2));
        Assert.That(PdfText((await store.LatestAsync(caseId, CancellationToken.None))!.Pdf), Does.Not.Contain("Attended the review meeting"));
        Assert.That(PdfText((await store.VersionAsync(caseId, 1, CancellationToken.None))!.Pdf), Does.Contain("Attended the review meeting"));
    }

    [Test]
    public async Task Approve_MarksTheLatestVersionOnce_NeverAnOlderOne_AndThePurgeDeletesEveryVersion()
    {
        var caseId = await NewCaseAsync();
        var fakes = new Fakes(Items(), CompleteDecisions());
        var store = new ResponseStore(_dataSource, _cipher);
        await RenderAsync(fakes, store, caseId, 2001);
        await RenderAsync(fakes, store, caseId, 2002);
        Assert.That(await store.ApprovedAsync(caseId, CancellationToken.None), Is.Null);

        var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        Assert.That(await InTransactionAsync(tx => ResponseStore.ApproveAsync(tx, caseId, 1, "dpo-1", at, CancellationToken.None)), Is.False, "an older version");
        Assert.That(await InTransactionAsync(tx => ResponseStore.ApproveAsync(tx, caseId, 2, "dpo-1", at, CancellationToken.None)), Is.True);
        Assert.That(await InTransactionAsync(tx => ResponseStore.ApproveAsync(tx, caseId, 2, "dpo-2", at, CancellationToken.None)), Is.False, "already approved");

        var approved = await store.ApprovedAsync(caseId, CancellationToken.None);
        Assert.That(approved, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(approved!.Version, Is.EqualTo(2));
            Assert.That(approved.ApprovedBy, Is.EqualTo("dpo-1"));
            Assert.That(approved.ApprovedAt, Is.EqualTo(at));
        });

        var purged = await InTransactionAsync(tx => new ResponsePurger().PurgeAsync(tx, caseId, CancellationToken.None));
        Assert.That(purged, Is.EqualTo(2));
        await using var connection = await _dataSource.OpenConnectionAsync();
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM disclosure_responses WHERE case_id = @caseId", new { caseId }), Is.Zero);
    }

    private static IReadOnlyList<ReviewItem> Items() =>
    [
        new ReviewItem(
            1,
            "record",
            "social-care",
            "case-notes",
            "CN-1",
            new DateOnly(2025, 3, 4),
            "Case note",
            [new("Worker", "A. Social Worker"), new("Present", $"Jade Parker and {ThirdParty}")],
            $"Jade Parker. Attended the review meeting with {ThirdParty}, whose phone is {ThirdPartyPhone}."),
        new ReviewItem(2, "record", "social-care", "case-notes", "CN-2", new DateOnly(2025, 4, 1), "Placement note", [], WithheldSecret),
        new ReviewItem(3, "record", "education", "attendance", "AT-9", new DateOnly(2009, 1, 1), "Attendance", [], OutOfScope) { ExcludedReason = "before the agreed date range" },
    ];

    private static List<ItemDecision> CompleteDecisions()
    {
        var text = Items()[0].Text;
        var present = Items()[0].Fields[1].Value;
        return
        [
            new ItemDecision(
                1,
                DisclosureDecision.Redact,
                [
                    new SpanRedaction(null, text.IndexOf(ThirdParty, StringComparison.Ordinal), ThirdParty.Length, "TP", "another child"),
                    new SpanRedaction(null, text.IndexOf(ThirdPartyPhone, StringComparison.Ordinal), ThirdPartyPhone.Length, "TP", "their phone"),
                    new SpanRedaction("Present", present.IndexOf(ThirdParty, StringComparison.Ordinal), ThirdParty.Length, "TP", "another child"),
                ],
                null,
                null,
                "officer-a",
                Decided),
            new ItemDecision(2, DisclosureDecision.Withhold, [], "ADOPT", "adoption record", "officer-a", Decided),
        ];
    }

    private async Task RenderAsync(Fakes fakes, ResponseStore store, long caseId, long jobId)
    {
        var handler = new RenderResponseHandler(fakes, new ResponseDecisions([fakes]), store, _cipher, new ResponseRegister(null), NullLogger<RenderResponseHandler>.Instance);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        using var payload = JsonDocument.Parse("""{"requestedBy":"officer-a"}""");
        var outcome = await handler.HandleAsync(
            new JobContext
            {
                JobId = jobId,
                Kind = RenderResponseHandler.JobKind,
                Attempt = 1,
                CaseId = caseId,
                Payload = payload.RootElement.Clone(),
                Transaction = transaction,
                Time = TimeProvider.System,
            },
            CancellationToken.None);
        Assert.That(outcome, Is.Null);
        await transaction.CommitAsync();
    }

    private async Task<T> InTransactionAsync<T>(Func<NpgsqlTransaction, Task<T>> work)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var result = await work(transaction);
        await transaction.CommitAsync();
        return result;
    }

    /// <summary>A finished render-response job row (as the runtime leaves it), for the status.</summary>
    private async Task<long> InsertJobAsync(long caseId)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "INSERT INTO jobs (kind, case_id, status, run_at, max_attempts, created_at, finished_at) VALUES (@kind, @caseId, 'succeeded', now(), 1, now(), now()) RETURNING id",
            new { kind = RenderResponseHandler.JobKind, caseId });
    }

    private async Task<long> NewCaseAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        var caseId = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO cases (reference, right_code) VALUES (@reference, 'SAR') RETURNING id",
            new { reference = $"KCC-SAR-2026-{Random.Shared.Next(100000, 999999)}" });
        var parties = new CaseRequestParties { RequesterName = "Jade Parker", RequesterEmail = "jade.parker@example.com", SubjectName = "Jade Parker" };
        var details = new CaseRequestDetails { SubjectDob = new DateOnly(2008, 5, 17), Address = "1 High Street\nMaidstone", Postcode = "ME14 1XX" };
        await connection.ExecuteAsync(
            "INSERT INTO case_requests (case_id, relationship, sealed_parties, sealed_details, created_at) VALUES (@caseId, 'self', @p, @d, now())",
            new { caseId, p = parties.Seal(_cipher, caseId), d = details.Seal(_cipher, caseId) });
        await connection.ExecuteAsync(
            """
            INSERT INTO case_clocks (case_id, received_at, received_on, clock_start, paused_days, is_paused, due_on, notice_by, extended_due_on, effective_due_on, updated_at)
            VALUES (@caseId, '2026-11-02T10:00:00Z', '2026-11-02', '2026-11-02', 0, false, '2026-12-02', '2026-12-02', '2027-02-02', '2026-12-02', now())
            """,
            new { caseId });
        return caseId;
    }

    private static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static int PageCount(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.NumberOfPages;
    }

    private sealed class Fakes(IReadOnlyList<ReviewItem> items, IReadOnlyList<ItemDecision> decisions) : IReviewItemSource, IDisclosureDecisions
    {
        public IReadOnlyList<ItemDecision> Decisions { get; set; } = decisions;

        public Task<IReadOnlyList<ReviewItem>> ItemsAsync(long caseId, CancellationToken cancellationToken) => Task.FromResult(items);

        public Task<IReadOnlyList<ItemDecision>> DecisionsAsync(long caseId, CancellationToken cancellationToken) => Task.FromResult(Decisions);
    }

    private sealed class TestCipher : IPersonalDataCipher
    {
        private readonly byte[] _key = RandomNumberGenerator.GetBytes(SealedData.KeySize);

        public byte[] Seal(string text, string context) => SealedData.Seal(_key, Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(context));

        public string Open(byte[] sealedValue, string context) =>
            Encoding.UTF8.GetString(SealedData.Open(id => id == SealedData.KeyIdOf(_key) ? _key : null, sealedValue, Encoding.UTF8.GetBytes(context)));

        public bool IsCurrent(string keyId) => keyId == SealedData.KeyIdOf(_key);

        public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);
    }
}

[SetUpFixture]
public sealed class PostgresTearDown
{
    [OneTimeTearDown]
    public async Task StopServer() => await TestPostgres.StopAsync();
}
