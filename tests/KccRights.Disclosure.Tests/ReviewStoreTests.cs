using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Cases.Retention;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Review;
using KccRights.Disclosure.Suggestions;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests;

/// <summary>The review's store (migration 0107) on a real PostgreSQL: decisions, redactions, checks, the gates, the purge.</summary>
public sealed class ReviewStoreTests
{
    private const string Text = "Met Sam Jones at school. sam jones said the mother, Kim, rang 01632 960001.";
    private static long _nextCase = 50_000;
    private NpgsqlDataSource _dataSource = null!;
    private ReviewStore _store = null!;
    private FakeItems _source = null!;
    private ReviewItems _items = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        _store = new ReviewStore(_dataSource, new TestCipher(), TimeProvider.System);
        _source = new FakeItems();
        _items = new ReviewItems(_source, new MemoryCache(new MemoryCacheOptions()));
    }

    [OneTimeTearDown]
    public async Task Dispose() => await _dataSource.DisposeAsync();

    private static ReviewItem Item(long id, string text = Text, string? excluded = null, string dataset = "contacts") =>
        new(id, "record", "social-care", dataset, $"R{id}", new DateOnly(2024, 1, 2), $"Contact {id}", [new("worker", "Alex Smith"), new("notes", "Sam Jones called")], text) { ExcludedReason = excluded };

    [Test]
    public async Task FindAndRedact_RedactsEveryOccurrenceIgnoringCase_InTextAndFields_AndSealsTheNote()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var item = Item(1);

        var count = await _store.FindAndRedactAsync(caseId, [item], "Sam Jones", "TP", "Neighbour Sam Jones, not the subject", "officer-a");

        Assert.That(count, Is.EqualTo(3), "twice in the text (either case) and once in the notes field");
        var redactions = await _store.RedactionsAsync(caseId);
        Assert.Multiple(() =>
        {
            Assert.That(redactions.Select(r => (r.Field, r.Start, r.Length)), Is.EquivalentTo(new (string?, int, int)[] { (null, 4, 9), (null, 25, 9), ("notes", 0, 9) }));
            Assert.That(redactions.Select(r => r.Code), Is.All.EqualTo("TP"));
            Assert.That(redactions.Select(r => r.Note), Is.All.EqualTo("Neighbour Sam Jones, not the subject"));
            Assert.That(redactions.Select(r => r.CreatedBy), Is.All.EqualTo("officer-a"));
        });
        Assert.That((await _store.DecidedAsync(caseId))[1], Is.EqualTo(DisclosureDecision.Redact));

        // Again: everything is already redacted, so nothing new.
        Assert.That(await _store.FindAndRedactAsync(caseId, [item], "sam JONES", "TP", "again", "officer-a"), Is.Zero);

        await using var connection = await _dataSource.OpenConnectionAsync();
        var stored = await connection.QueryAsync<byte[]>("SELECT sealed_note FROM review_redactions WHERE case_id = @caseId", new { caseId });
        Assert.That(stored.Any(b => Encoding.UTF8.GetString(b).Contains("Neighbour", StringComparison.Ordinal)), Is.False, "notes are sealed at rest");
    }

    [Test]
    public async Task Redact_RefusesASpanOutsideTheText_OrOverlappingAnother_OrAnUnknownField()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var item = Item(2);
        await _store.RedactAsync(caseId, item, [new NewSpan(null, 4, 9)], "TP", "neighbour", "officer-a");

        var outside = Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, item, [new NewSpan(null, Text.Length - 2, 5)], "TP", "n", "officer-a"));
        Assert.That(outside!.Message, Does.Contain("outside the text"));
        var overlap = Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, item, [new NewSpan(null, 10, 6)], "TP", "n", "officer-a"));
        Assert.That(overlap!.Message, Does.Contain("already redacted"));
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, item, [new NewSpan("nothing", 0, 1)], "TP", "n", "officer-a"));
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, item, [new NewSpan(null, 40, 3)], "NOPE", "n", "officer-a"), "an exemption code of the catalogue");
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, item, [new NewSpan(null, 40, 3)], "TP", "  ", "officer-a"), "a note is required");
        // Two new spans overlapping each other: all or nothing.
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, item, [new NewSpan(null, 40, 3), new NewSpan(null, 41, 3)], "TP", "n", "officer-a"));
        // The same span in another field is not an overlap.
        await _store.RedactAsync(caseId, item, [new NewSpan("worker", 0, 4, WholeField: false)], "TP-PRO", "n", "officer-a");

        Assert.That((await _store.RedactionsAsync(caseId)).Count, Is.EqualTo(2));
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.RedactAsync(caseId, Item(3, excluded: "dated 2001-01-01, before the agreed scope"), [new NewSpan(null, 0, 3)], "TP", "n", "officer-a"), "an excluded item is not reviewed");
    }

    [Test]
    public async Task WithholdDiscloseAndRemove_ReplaceTheItemsDecision()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var item = Item(4);
        var ids = await _store.RedactAsync(caseId, item, [new NewSpan(null, 4, 9)], "TP", "neighbour", "officer-a");

        await _store.WithholdAsync(caseId, [item], "SOCIAL", "Serious harm: social worker's advice", "officer-b");
        var withheld = await _store.DecisionAsync(caseId, 4);
        Assert.That(withheld, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(withheld!.Decision, Is.EqualTo(DisclosureDecision.Withhold));
            Assert.That(withheld.WithheldCode, Is.EqualTo("SOCIAL"));
            Assert.That(withheld.Note, Is.EqualTo("Serious harm: social worker's advice"));
            Assert.That(withheld.DecidedBy, Is.EqualTo("officer-b"));
        });
        Assert.That(await _store.RedactionsAsync(caseId), Is.Empty, "withholding the whole item drops its redactions");
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.WithholdAsync(caseId, [item], "", "note", "officer-b"));

        await _store.DiscloseAsync(caseId, [item], "officer-a");
        Assert.That((await _store.DecisionAsync(caseId, 4))!.Decision, Is.EqualTo(DisclosureDecision.Disclose));

        ids = await _store.RedactAsync(caseId, item, [new NewSpan(null, 4, 9)], "TP", "neighbour", "officer-a");
        Assert.That((await _store.DecisionAsync(caseId, 4))!.Decision, Is.EqualTo(DisclosureDecision.Redact));
        Assert.That(await _store.RemoveRedactionAsync(caseId, ids[0]), Is.True);
        Assert.That(await _store.DecisionAsync(caseId, 4), Is.Null, "an item left with no redaction is not reviewed");
        Assert.That(await _store.RemoveRedactionAsync(caseId, ids[0]), Is.False);
    }

    [Test]
    public async Task Decisions_ForTheResponse_LeaveOutExcludedAndVanishedItems_AndRefuseARedactionThatNoLongerFits()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var kept = Item(10);
        var withheld = Item(11, dataset: "assessments");
        var gone = Item(12);
        _source.Set(caseId, [kept, withheld, gone]);
        await _store.RedactAsync(caseId, kept, [new NewSpan(null, 4, 9), new NewSpan("worker", 0, 10, WholeField: true)], "TP", "neighbour", "officer-a");
        await _store.WithholdAsync(caseId, [withheld], "SOCIAL", "harm", "officer-a");
        await _store.DiscloseAsync(caseId, [gone], "officer-a");
        _source.Set(caseId, [kept, withheld]);

        var decisions = await new ReviewDecisions(_store, _items).DecisionsAsync(caseId, CancellationToken.None);

        Assert.That(decisions.Select(d => (d.ItemId, d.Decision)), Is.EquivalentTo(new[] { (10L, DisclosureDecision.Redact), (11L, DisclosureDecision.Withhold) }));
        var redacted = decisions.Single(d => d.ItemId == 10);
        Assert.That(redacted.Redactions.Select(r => (r.Field, r.Start, r.Length, r.Code, r.Note)), Is.EquivalentTo(new (string?, int, int, string, string)[] { (null, 4, 9, "TP", "neighbour"), ("worker", 0, 10, "TP", "neighbour") }));
        Assert.That(decisions.Single(d => d.ItemId == 11).WithheldCode, Is.EqualTo("SOCIAL"));

        // The item's text is shorter now (it cannot be under one id in Collation; a defect there must not render wrongly).
        _source.Set(caseId, [kept with { Text = "Met" }, withheld]);
        Assert.ThrowsAsync<ReviewRefusedException>(() => new ReviewDecisions(_store, _items).DecisionsAsync(caseId, CancellationToken.None));
    }

    [Test]
    public async Task Gates_TheReviewNeedsEveryInScopeItemDecided_TheCheckEveryRedactionAndWithholdingAccepted()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var a = Item(20);
        var b = Item(21);
        var outOfScope = Item(22, excluded: "dated 2001-01-01, before the agreed scope");
        _source.Set(caseId, [a, b, outOfScope]);
        var gate = new ReviewGate(_items, _dataSource);

        Assert.That(await gate.RefusalAsync(ReviewGate.ReviewTask, caseId, "reviewed"), Is.EqualTo("Decide every item first: 2 items have no decision yet (disclose, redact or withhold)."));
        var redactionIds = await _store.RedactAsync(caseId, a, [new NewSpan(null, 4, 9)], "TP", "neighbour", "officer-a");
        Assert.That(await gate.RefusalAsync(ReviewGate.ReviewTask, caseId, "reviewed"), Does.StartWith("Decide every item first: 1 item has"));
        await _store.WithholdAsync(caseId, [b], "SOCIAL", "harm", "officer-a");
        Assert.That(await gate.RefusalAsync(ReviewGate.ReviewTask, caseId, "reviewed"), Is.Null, "the out-of-scope item is not counted");

        Assert.That(await _store.NotAcceptedAsync(caseId), Is.EqualTo(2));
        Assert.That(await gate.RefusalAsync(ReviewGate.CheckTask, caseId, "checked"), Does.StartWith("Accept every redaction and withheld item first: 2 not accepted"));
        Assert.That(await gate.RefusalAsync(ReviewGate.CheckTask, caseId, "returned"), Is.Null, "returning is always possible");
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.CheckAsync(caseId, ReviewStore.CheckRedaction, redactionIds[0], accepted: false, " ", "officer-b"), "a return needs a comment");
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.CheckAsync(caseId, ReviewStore.CheckWithheld, a.Id, accepted: true, null, "officer-b"), "item a is not withheld");
        await _store.CheckAsync(caseId, ReviewStore.CheckRedaction, redactionIds[0], accepted: true, null, "officer-b");
        await _store.CheckAsync(caseId, ReviewStore.CheckWithheld, b.Id, accepted: false, "Ask the social worker first", "officer-b");
        Assert.That(await _store.NotAcceptedAsync(caseId), Is.EqualTo(1));
        var returned = (await _store.ChecksAsync(caseId)).Single(c => !c.Accepted);
        Assert.That((returned.Kind, returned.TargetId, returned.Comment, returned.CheckedBy), Is.EqualTo((ReviewStore.CheckWithheld, b.Id, "Ask the social worker first", "officer-b")));

        // The reviewer changes the withholding: the earlier answer no longer stands, the checker sees it afresh.
        await _store.WithholdAsync(caseId, [b], "SOCIAL", "Advice received", "officer-a");
        Assert.That((await _store.ChecksAsync(caseId)).Select(c => c.Kind), Is.EqualTo(new[] { ReviewStore.CheckRedaction }));
        await _store.CheckAsync(caseId, ReviewStore.CheckWithheld, b.Id, accepted: true, null, "officer-b");
        Assert.That(await gate.RefusalAsync(ReviewGate.CheckTask, caseId, "checked"), Is.Null);

        // The workflow's own conditions agree (in a transaction, as the runtime calls them).
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var context = new ConditionContext { CaseId = caseId, InstanceId = 1, State = "redaction-check", Data = default, Transaction = transaction, Time = TimeProvider.System };
        Assert.That(await new ReviewCompleteCondition(gate).EvaluateAsync(context, CancellationToken.None), Is.True);
        Assert.That(await new RedactionsAcceptedCondition().EvaluateAsync(context, CancellationToken.None), Is.True);
        await _store.RemoveRedactionAsync(caseId, redactionIds[0]);
        Assert.That(await new ReviewCompleteCondition(gate).EvaluateAsync(context, CancellationToken.None), Is.False, "item a has no decision again");
    }

    [Test]
    public async Task SuggestionStates_AreKeptBySuggestionId_LastAnswerWins()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        await _store.SetSuggestionStateAsync(caseId, "s-1", 30, accepted: true, "officer-a");
        await _store.SetSuggestionStateAsync(caseId, "s-2", 30, accepted: true, "officer-a");
        await _store.SetSuggestionStateAsync(caseId, "s-2", 30, accepted: false, "officer-b");

        var states = await _store.SuggestionStatesAsync(caseId, 30);
        Assert.That(states.Select(s => (s.SuggestionId, s.Accepted, s.DecidedBy)), Is.EquivalentTo(new[] { ("s-1", true, "officer-a"), ("s-2", false, "officer-b") }));
    }

    [Test]
    public async Task AcceptSuggestion_RedactsItsSpanWithItsCodeAndReason_APromptIsOnlyRecorded()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var item = Item(35);
        ISuggestionSource source = new FakeSuggestions(
        [
            new Suggestion("third-party:35:text:52", 35, null, 52, 3, "family-member", "Kim: named next to \u201cmother\u201d", SuggestionAction.Redact, null),
            new Suggestion("phone:35:text:61", 35, null, 62, 12, "phone", "A phone number that is not the subject's", SuggestionAction.Redact, "TP"),
            new Suggestion("professional:35:worker", 35, "worker", 0, 10, "professional", "A social worker acting in their role", SuggestionAction.NormallyDisclose, null),
        ]);
        var suggestions = await source.SuggestAsync(caseId, CancellationToken.None);

        Assert.That(await _store.AcceptSuggestionAsync(caseId, item, suggestions[0], "officer-a"), Is.True);
        Assert.That(await _store.AcceptSuggestionAsync(caseId, item, suggestions[0], "officer-a"), Is.False, "already redacted: nothing added twice");
        Assert.That(await _store.AcceptSuggestionAsync(caseId, item, suggestions[2], "officer-a"), Is.False, "normally disclose: recorded, nothing redacted");
        await _store.SetSuggestionStateAsync(caseId, suggestions[1].Id, item.Id, accepted: false, "officer-a");
        Assert.ThrowsAsync<ReviewRefusedException>(() => _store.AcceptSuggestionAsync(caseId, Item(36), suggestions[1], "officer-a"));

        var redactions = await _store.RedactionsAsync(caseId, item.Id);
        Assert.That(redactions.Select(r => (Text.Substring(r.Start, r.Length), r.Code, r.Note, r.SuggestionId)), Is.EqualTo(new[] { ("Kim", "TP", "Kim: named next to \u201cmother\u201d", "third-party:35:text:52") }));
        var states = await _store.SuggestionStatesAsync(caseId, item.Id);
        Assert.That(states.Select(s => (s.SuggestionId, s.Accepted)), Is.EquivalentTo(new[] { ("third-party:35:text:52", true), ("phone:35:text:61", false), ("professional:35:worker", true) }));
    }

    [Test]
    public async Task Purge_RemovesEveryRowOfTheCase_AndNothingOfAnother()
    {
        var caseId = Interlocked.Increment(ref _nextCase);
        var other = Interlocked.Increment(ref _nextCase);
        foreach (var c in new[] { caseId, other })
        {
            var ids = await _store.RedactAsync(c, Item(40), [new NewSpan(null, 4, 9)], "TP", "neighbour", "officer-a");
            await _store.WithholdAsync(c, [Item(41)], "SOCIAL", "harm", "officer-a");
            await _store.CheckAsync(c, ReviewStore.CheckRedaction, ids[0], accepted: false, "why?", "officer-b");
            await _store.SetSuggestionStateAsync(c, "s-1", 40, accepted: true, "officer-a");
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.That(await new ReviewPurger().PurgeAsync(transaction, caseId, CancellationToken.None), Is.EqualTo(5));
            await transaction.CommitAsync();
        }

        foreach (var table in new[] { "review_decisions", "review_redactions", "review_suggestion_states", "review_checks" })
        {
            Assert.That(await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table} WHERE case_id = @caseId", new { caseId }), Is.Zero, table);
            Assert.That(await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table} WHERE case_id = @other", new { other }), Is.Positive, table);
        }

        await using var again = await connection.BeginTransactionAsync();
        Assert.That(await new ReviewPurger().PurgeAsync(again, caseId, CancellationToken.None), Is.Zero, "idempotent");
    }

    [Test]
    public void AddDisclosure_RegistersTheReviewsConditionsDecisionsAndPurger()
    {
        var services = new ServiceCollection();
        services.AddDisclosure(new ConfigurationBuilder().Build());
        Assert.Multiple(() =>
        {
            Assert.That(services.Where(s => s.ServiceType == typeof(IWorkflowCondition)).Select(s => s.ImplementationType), Is.SupersetOf(new[] { typeof(ReviewCompleteCondition), typeof(RedactionsAcceptedCondition) }));
            Assert.That(services.Any(s => s.ServiceType == typeof(IDisclosureDecisions) && s.ImplementationType == typeof(ReviewDecisions)), Is.True);
            Assert.That(services.Any(s => s.ServiceType == typeof(ICaseDataPurger) && s.ImplementationType == typeof(ReviewPurger)), Is.True);
        });
    }

    private sealed class FakeSuggestions(IReadOnlyList<Suggestion> suggestions) : ISuggestionSource
    {
        public Task<IReadOnlyList<Suggestion>> SuggestAsync(long caseId, CancellationToken cancellationToken) => Task.FromResult(suggestions);
    }

    private sealed class FakeItems : IReviewItemSource
    {
        private readonly Dictionary<long, IReadOnlyList<ReviewItem>> _items = [];

        public void Set(long caseId, IReadOnlyList<ReviewItem> items)
        {
            lock (_items)
            {
                _items[caseId] = items;
            }
        }

        public Task<IReadOnlyList<ReviewItem>> ItemsAsync(long caseId, CancellationToken cancellationToken)
        {
            lock (_items)
            {
                return Task.FromResult(_items.GetValueOrDefault(caseId) ?? []);
            }
        }
    }
}

internal sealed class TestCipher : IPersonalDataCipher
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(SealedData.KeySize);

    public byte[] Seal(string text, string context) =>
        SealedData.Seal(_key, Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(context));

    public string Open(byte[] sealedValue, string context) =>
        Encoding.UTF8.GetString(SealedData.Open(id => id == SealedData.KeyIdOf(_key) ? _key : null, sealedValue, Encoding.UTF8.GetBytes(context)));

    public bool IsCurrent(string keyId) => keyId == SealedData.KeyIdOf(_key);

    public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);
}

[SetUpFixture]
public sealed class PostgresSetUp
{
    [OneTimeTearDown]
    public Task StopAll() => TestPostgres.StopAsync();
}
