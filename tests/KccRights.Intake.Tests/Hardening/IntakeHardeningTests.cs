using System.Text;
using System.Text.Json;
using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Smtp;
using KccRights.Intake.Classification;
using KccRights.Intake.Tests.Support;
using MimeKit;
using Npgsql;

namespace KccRights.Intake.Tests.Hardening;

/// <summary>Issue 9, items 1 and 2 and Build 8, against real PostgreSQL.</summary>
public class IntakeHardeningTests
{
    private static byte[] Hostile(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hostile", file));

    /// <summary>Sends nothing: keeps what would have been sent.</summary>
    private sealed class KeepingSender : IMailSender
    {
        public List<MimeMessage> Sent { get; } = [];

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task NulInTheFromDisplayName_BecomesACase_WithTheNameCleaned_AndAClearLetter()
    {
        // The probe: =?utf-8?B?TnVsAE5hbWUgUGVyc29u?= failed the insert five times (PostgreSQL 22021) and was lost from view.
        await using var harness = await IntakeHarness.CreateAsync();
        var stored = await harness.Store.StoreAsync(Hostile("02-nul-in-display-name.eml"), DateTimeOffset.UtcNow, null);

        var outcome = await harness.Processor.ProcessAsync(stored.Id);

        Assert.That(outcome, Is.Not.Null, "processed at the first attempt");
        var requester = (await harness.PartiesAsync()).Single().RequesterName;
        var sender = new KeepingSender();
        await harness.RunAcknowledgementJobsAsync(harness.AcknowledgementHandler(sender, new SmtpOptions { FromAddress = "data.protection@kent.gov.uk" }));
        Assert.Multiple(() =>
        {
            Assert.That(outcome!.OpenedCases, Has.Count.EqualTo(1));
            Assert.That(requester, Is.EqualTo("Nul Name Person"));
            Assert.That(sender.Sent.Single().TextBody, Does.StartWith("Dear Nul Name Person,"));
        });
    }

    [TestCase("03-header-text-in-display-name.eml")]
    [TestCase("04-crlf-in-encoded-display-name.eml")]
    public async Task HeaderLikeDisplayName_NeverReachesTheLetter(string file)
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var stored = await harness.Store.StoreAsync(Hostile(file), DateTimeOffset.UtcNow, null);
        await harness.Processor.ProcessAsync(stored.Id);
        var sender = new KeepingSender();

        await harness.RunAcknowledgementJobsAsync(harness.AcknowledgementHandler(sender, new SmtpOptions { FromAddress = "data.protection@kent.gov.uk" }));

        var letter = sender.Sent.Single();
        Assert.Multiple(() =>
        {
            Assert.That(letter.TextBody, Does.StartWith("Dear Evil,"));
            Assert.That(letter.TextBody, Does.Not.Contain("Bcc"));
            Assert.That(letter.To.ToString(), Does.Not.Contain("Bcc"));
            Assert.That(letter.Bcc, Is.Empty);
        });
    }

    [Test]
    public async Task NoTransactionOrLockIsHeld_WhileAMessageIsClassified()
    {
        // The probe: the 43 s classification held a transaction open on the message row. Look from another connection
        // at the moment the classifier starts (it asks its clock for the time then).
        var look = new LookingClock();
        await using var harness = await IntakeHarness.CreateAsync(new MessageClassifier(new ClassifierOptions(), look));
        var stored = await harness.Store.StoreAsync(Corpus.Read("07-portability.eml"), DateTimeOffset.UtcNow, null);
        look.Look = () =>
        {
            using var connection = harness.DataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            using var command = new NpgsqlCommand("SELECT id FROM inbound_messages WHERE id = @id FOR UPDATE NOWAIT", connection, transaction);
            command.Parameters.AddWithValue("id", stored.Id);
            command.ExecuteScalar();
            using var open = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'", connection, transaction);
            look.OpenTransactions = (long)open.ExecuteScalar()!;
        };

        var outcome = await harness.Processor.ProcessAsync(stored.Id);

        Assert.Multiple(() =>
        {
            Assert.That(look.Error, Is.Null, "the message row could be locked by another session during classification");
            Assert.That(look.OpenTransactions, Is.Zero, "no other transaction open during classification");
            Assert.That(outcome, Is.Not.Null);
        });
    }

    [Test]
    public async Task AMessageThatStoppedTheServiceEveryTime_GoesToTriageUnread_AndTheNextIsProcessed()
    {
        // The probe: after a kill -9 in the middle of the 43 s classification the same message was started again, for ever.
        await using var harness = await IntakeHarness.CreateAsync();
        var poison = await harness.Store.StoreAsync(Hostile("01-redos-at-repeated.eml"), DateTimeOffset.UtcNow, null);
        var next = await harness.Store.StoreAsync(Corpus.Read("07-portability.eml"), DateTimeOffset.UtcNow, null);
        await harness.ScalarAsync<int>("UPDATE inbound_messages SET attempts = 5 WHERE id = @id RETURNING 1", new { id = poison.Id });

        var processed = await harness.Processor.ProcessPendingAsync();

        var triage = (await harness.QueryAsync<(string Kind, string Reasons)>("SELECT reason_kind, reasons::text FROM intake_triage WHERE inbound_message_id = @id", new { id = poison.Id })).Single();
        Assert.Multiple(async () =>
        {
            Assert.That(processed, Is.EqualTo(2));
            Assert.That(triage.Kind, Is.EqualTo("over-budget"));
            Assert.That(JsonSerializer.Deserialize<string[]>(triage.Reasons)!.Single(), Does.Contain("without finishing it"));
            Assert.That(await harness.ScalarAsync<string>("SELECT status FROM inbound_messages WHERE id = @id", new { id = poison.Id }), Is.EqualTo("triage"));
            Assert.That(await harness.ScalarAsync<string>("SELECT status FROM inbound_messages WHERE id = @id", new { id = next.Id }), Is.EqualTo("processed"));
        });
    }

    [Test]
    public async Task AFailureAfterItsRetries_IsATriageRowWithKindDetailAndReadableReasons()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var stored = await harness.Store.StoreAsync(Corpus.Read("07-portability.eml"), DateTimeOffset.UtcNow, null);
        await harness.ScalarAsync<int>("UPDATE inbound_messages SET tag = '\\x00000000000000000000000000000000'::bytea WHERE id = @id RETURNING 1", new { id = stored.Id });

        for (var i = 0; i < 5; i++)
        {
            await harness.Processor.ProcessAsync(stored.Id);
        }

        var row = (await harness.QueryAsync<(long? InboundId, string Kind, string Detail, string Reasons, string Status)>(
            "SELECT inbound_message_id, reason_kind, detail, reasons::text, status FROM intake_triage")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.InboundId, Is.EqualTo(stored.Id));
            Assert.That(row.Kind, Is.EqualTo("processing-failed"));
            Assert.That(row.Detail, Does.Contain("AuthenticationTagMismatch"));
            Assert.That(row.Status, Is.EqualTo("open"));
            Assert.That(JsonSerializer.Deserialize<string[]>(row.Reasons)![0], Does.Contain("after 5 attempts"));
        });
    }

    [Test]
    public async Task AClassificationOverItsBudget_IsTriaged_AsOverBudget()
    {
        await using var harness = await IntakeHarness.CreateAsync(new MessageClassifier(new ClassifierOptions { Budget = TimeSpan.Zero }, TimeProvider.System));
        var stored = await harness.Store.StoreAsync(Corpus.Read("07-portability.eml"), DateTimeOffset.UtcNow, null);

        var outcome = await harness.Processor.ProcessAsync(stored.Id);

        var row = (await harness.QueryAsync<(string Kind, string Reasons)>("SELECT reason_kind, reasons::text FROM intake_triage")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(outcome!.Status, Is.EqualTo("triage"));
            Assert.That(outcome.OpenedCases, Has.Count.EqualTo(1), "the request still opens its case; an officer checks it");
            Assert.That(row.Kind, Is.EqualTo("over-budget"));
            Assert.That(row.Reasons, Does.Contain("over the budget"));
        });
    }

    [Test]
    public async Task ATenMegabyteHtmlMessage_IsProcessedWithinTheBound()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var stored = await harness.Store.StoreAsync(Classification.BoundedWorkTests.TenMegabyteHtmlMessage(), DateTimeOffset.UtcNow, null);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await harness.Processor.ProcessAsync(stored.Id);

        TestContext.Progress.WriteLine($"10 MB HTML through the processor: {stopwatch.ElapsedMilliseconds} ms");
        var kind = await harness.ScalarAsync<string>("SELECT reason_kind FROM intake_triage");
        Assert.Multiple(() =>
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
            Assert.That(outcome!.OpenedCases, Has.Count.EqualTo(1));
            Assert.That(kind, Is.EqualTo("over-budget"), "read in part, so flagged for an officer");
        });
    }

    [Test]
    public async Task AMessageIdTooLongForTheIndex_IsStoredAndDedupedByItsHash()
    {
        // PostgreSQL refuses a b-tree entry over ~2.7 KB: before, storing failed on every pass and blocked the mailbox.
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Hostile("41-huge-message-id.eml");

        var first = await harness.Store.StoreAsync(raw, DateTimeOffset.UtcNow, null);
        var again = await harness.Store.StoreAsync(raw, DateTimeOffset.UtcNow, null);

        Assert.Multiple(async () =>
        {
            Assert.That((first.Created, again.Created, again.Id), Is.EqualTo((true, false, first.Id)));
            Assert.That(await harness.ScalarAsync<string>("SELECT dedupe_key FROM inbound_messages"), Does.StartWith("sha256:"));
        });
    }

    /// <summary>A clock that runs a check the first time the classifier asks it for a timestamp.</summary>
    private sealed class LookingClock : TimeProvider
    {
        private int _looked;

        public Action? Look { get; set; }

        public long OpenTransactions { get; set; } = -1;

        public Exception? Error { get; private set; }

        public override long GetTimestamp()
        {
            if (Look is { } look && Interlocked.Exchange(ref _looked, 1) == 0)
            {
                try
                {
                    look();
                }
                // Recorded for the test to assert on.
                catch (Exception ex)
                {
                    Error = ex;
                }
            }

            return base.GetTimestamp();
        }
    }
}
