using Dapper;
using KccRights.Correspondence.Outbox;
using KccRights.Domain.Cases;
using KccRights.Cases;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Correspondence.Tests.Outbox;

/// <summary>The read side of outbound_messages that Intake threads replies and delivery reports with.</summary>
public class OutboundLookupTests
{
    private static async Task<(long Id, string Reference)> CaseAsync(NpgsqlTransaction transaction)
    {
        var (id, reference) = await CaseStore.CreateAsync(transaction, Right.Access, 2026, "email");
        return (id, reference.ToString());
    }

    private static Task<int> SentAsync(NpgsqlTransaction transaction, long caseId, string messageId, string recipient, DateTimeOffset at) =>
        transaction.Connection!.ExecuteAsync(
            """
            INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at)
            VALUES (@caseId, @messageId, 'acknowledgement', @messageId, @recipient, 's', @at)
            """,
            new { caseId, messageId, recipient, at },
            transaction);

    [Test]
    public async Task CasesOfMessages_FindsTheCaseOfEachSentMessageId_AndNothingForOthers()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var first = await CaseAsync(transaction);
        var second = await CaseAsync(transaction);
        var at = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
        await SentAsync(transaction, first.Id, "ack.one@kent.gov.uk", "a@example.org", at);
        await SentAsync(transaction, second.Id, "ack.two@kent.gov.uk", "b@example.org", at);

        var found = await OutboundLookup.CasesOfMessagesAsync(transaction, ["ack.one@kent.gov.uk", "someone.else@example.org"]);
        var none = await OutboundLookup.CasesOfMessagesAsync(transaction, []);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.EqualTo(new[] { new OutboundCase(first.Id, first.Reference) }));
            Assert.That(none, Is.Empty);
        });
    }

    [Test]
    public async Task LastCasesSentTo_GivesTheCaseOfTheLatestMessageToTheAddress_IgnoringCase()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateDatabaseAsync());
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var older = await CaseAsync(transaction);
        var newer = await CaseAsync(transaction);
        var at = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
        await SentAsync(transaction, older.Id, "ack.old@kent.gov.uk", "Jay@Example.com", at);
        await SentAsync(transaction, newer.Id, "ack.new@kent.gov.uk", "jay@example.com", at.AddDays(1));

        var found = await OutboundLookup.LastCasesSentToAsync(transaction, ["jay@example.com", "nobody@example.com"]);

        Assert.That(found, Is.EqualTo(new[] { new OutboundCase(newer.Id, newer.Reference) }));
    }
}
