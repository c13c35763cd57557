using System.Diagnostics;
using KccRights.Infrastructure.Mail;
using KccRights.Intake.Mailbox;
using KccRights.Intake.Tests.Support;
using KccRights.TestSupport;
using MailKit;

namespace KccRights.Intake.Tests.Integration;

/// <summary>
/// Nothing lost, nothing twice: a crash between fetching and committing, or between committing and moving, and an IMAP
/// outage, against real Postfix and Dovecot.
/// </summary>
[NonParallelizable]
public class MailboxResilienceTests
{
    private static readonly string[] Files = ["01-adult-own-records.eml", "02-parent-for-child.eml", "03-solicitor-with-authority.eml"];
    private MailServers _servers = null!;

    [OneTimeSetUp]
    public async Task StartServers() => _servers = await MailServers.StartAsync();

    [OneTimeTearDown]
    public async Task StopServers() => await _servers.DisposeAsync();

    private async Task<string> NewMailboxAsync()
    {
        var mailbox = $"dp-{Guid.NewGuid():N}"[..16] + "@kent.gov.uk";
        await _servers.AddUserAsync(mailbox);
        return mailbox;
    }

    [Test]
    public async Task CrashBetweenFetchAndCommit_LosesNothing_AndTheRestartStoresEachOnce()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var mailbox = await NewMailboxAsync();
        await MailTestKit.DeliverAsync(_servers, mailbox, Files.Select(Corpus.Read));
        var crashing = harness.Reader(_servers, mailbox);
        var calls = 0;
        crashing.Hooks.BeforeCommit = _ => ++calls == 2 ? throw new OperationCanceledException("killed before commit") : Task.CompletedTask;

        Assert.ThrowsAsync<OperationCanceledException>(() => crashing.ReadOnceAsync());
        Assert.Multiple(async () =>
        {
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM inbound_messages"), Is.EqualTo(1));
            Assert.That(await MailTestKit.CountAsync(_servers, mailbox, "INBOX"), Is.EqualTo(3), "nothing is moved before its commit");
        });

        var restarted = await harness.Reader(_servers, mailbox).ReadOnceAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(restarted, Is.EqualTo(2));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM inbound_messages"), Is.EqualTo(3));
            Assert.That(await MailTestKit.CountAsync(_servers, mailbox, "INBOX"), Is.Zero);
            Assert.That(await MailTestKit.CountAsync(_servers, mailbox, "Processed"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task CrashBetweenCommitAndMove_ReReadsHarmlessly_WithNoDuplicate()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var mailbox = await NewMailboxAsync();
        await MailTestKit.DeliverAsync(_servers, mailbox, Files.Select(Corpus.Read));
        var crashing = harness.Reader(_servers, mailbox);
        crashing.Hooks.AfterCommit = (_, _) => throw new OperationCanceledException("killed after commit");

        Assert.ThrowsAsync<OperationCanceledException>(() => crashing.ReadOnceAsync());
        Assert.That(await MailTestKit.CountAsync(_servers, mailbox, "INBOX"), Is.EqualTo(3));

        var restarted = await harness.Reader(_servers, mailbox).ReadOnceAsync();
        var processed = await harness.Processor.ProcessPendingAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(restarted, Is.EqualTo(2), "the first was already stored");
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM inbound_messages"), Is.EqualTo(3));
            Assert.That(processed, Is.EqualTo(3));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.EqualTo(3), "one case each, none twice");
            Assert.That(await MailTestKit.CountAsync(_servers, mailbox, "INBOX"), Is.Zero);
        });
    }

    [Test]
    public async Task FlaggingInsteadOfMoving_MarksSeenWithTheKeyword_AndDoesNotReadAgain()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var mailbox = await NewMailboxAsync();
        await MailTestKit.DeliverAsync(_servers, mailbox, Files.Take(2).Select(Corpus.Read));
        var reader = harness.Reader(_servers, mailbox, moveToProcessed: false);

        var first = await reader.ReadOnceAsync();
        var second = await reader.ReadOnceAsync();

        using var client = await MailTestKit.ConnectAsync(_servers, mailbox);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags);
        Assert.Multiple(() =>
        {
            Assert.That((first, second), Is.EqualTo((2, 0)));
            Assert.That(summaries.Select(s => s.Flags!.Value.HasFlag(MessageFlags.Seen)), Is.All.True);
            Assert.That(summaries.Select(s => s.Keywords.Contains("$KccStored")), Is.All.True);
        });
    }

    [Test]
    public async Task WithoutIdle_ThePollingReaderPicksUpNewMail()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var mailbox = await NewMailboxAsync();
        var health = new MailboxHealth(TimeProvider.System);
        var reader = new MailboxReader(
            new MailboxOptions
            {
                Host = MailServers.Host,
                Port = _servers.ImapPort,
                Tls = MailTls.None,
                Username = mailbox,
                Password = MailServers.Password,
                UseIdle = false,
                PollInterval = TimeSpan.FromMilliseconds(300),
            },
            harness.Store,
            health,
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MailboxReader>.Instance);
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        try
        {
            await WaitUntilAsync(() => Task.FromResult(health.Current.State == MailboxState.Polling), "the reader polls");
            await MailTestKit.DeliverAsync(_servers, mailbox, [Corpus.Read(Files[2])], useDateHeader: false);
            await WaitUntilAsync(async () => await harness.ScalarAsync<long>("SELECT count(*) FROM inbound_messages") == 1, "the polled message was stored");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    [Test]
    public async Task ImapOutage_OfAMinute_ReaderBacksOffShowsItInHealth_AndResumesByItself()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var mailbox = await NewMailboxAsync();
        var health = new MailboxHealth(TimeProvider.System);
        var reader = harness.Reader(_servers, mailbox, health: health);
        reader.OnStored = harness.Processor.ProcessPendingAsync;
        using var stop = new CancellationTokenSource();
        var running = reader.RunAsync(stop.Token);
        try
        {
            // Delivered while the reader idles: IDLE tells it at once.
            await MailTestKit.DeliverAsync(_servers, mailbox, [Corpus.Read(Files[0])], useDateHeader: false);
            await WaitUntilAsync(async () => await harness.ScalarAsync<long>("SELECT count(*) FROM cases") == 1, "the first request became a case");
            Assert.That(health.Current.State, Is.EqualTo(MailboxState.Idle));

            await _servers.StopImapAsync();
            await WaitUntilAsync(() => Task.FromResult(!health.Current.Healthy && health.Current.ConsecutiveFailures >= 2), "health shows the outage");
            await MailTestKit.DeliverAsync(_servers, mailbox, [Corpus.Read(Files[1])], useDateHeader: false);

            // Issue 4: the mail server stays down for a whole minute; the reader keeps retrying on its own.
            await Task.Delay(TimeSpan.FromSeconds(60));
            Assert.That(health.Current.State, Is.EqualTo(MailboxState.Retrying));
            Assert.That(health.Current.LastError, Is.Not.Null);

            await _servers.StartImapAsync();
            await WaitUntilAsync(async () => await harness.ScalarAsync<long>("SELECT count(*) FROM cases") == 2, "the mail sent during the outage became a case");
            Assert.That(health.Current.Healthy, Is.True);
            Assert.That(health.Current.ConsecutiveFailures, Is.Zero);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        Assert.That(health.Current.State, Is.EqualTo(MailboxState.Stopped));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }
}
