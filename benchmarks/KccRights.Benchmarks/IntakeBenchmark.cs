using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KccRights.Cases;
using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Smtp;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Mail;
using KccRights.Intake.Classification;
using KccRights.Intake.Mailbox;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 4's intake figure: 1,000 requests delivered through Postfix into Dovecot become cases with acknowledgements
/// sent (read over IMAP, stored encrypted, classified, cases and clocks opened, acknowledgement jobs run and sent over
/// SMTP), as messages/s, beside a plain MailKit fetch of the same 1,000 messages (the limit) and the ratio.
/// The workflow runtime is not on this branch: its calls are recorded in memory and the acknowledgement jobs are run
/// one after another by this benchmark, as a single worker would.
/// </summary>
internal static class IntakeBenchmark
{
    private const string Mailbox = "data.protection@kent.gov.uk";

    private static readonly string[] TemplateFiles =
        ["01-adult-own-records.eml", "02-parent-for-child.eml", "03-solicitor-with-authority.eml", "05-rectification-attendance.eml", "06-objection-data-set.eml", "13-html-only.eml"];

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 1000;
        var folder = Path.Combine(AppContext.BaseDirectory, "corpus");
        var templates = TemplateFiles.Select(f => File.ReadAllText(Path.Combine(folder, f))).ToList();
        var requesters = Enumerable.Range(1, count).Select(i => Invariant($"requester{i:0000}@example.com")).ToList();

        Console.WriteLine(Invariant($"Starting Postfix and Dovecot, {count:N0} mailboxes..."));
        await using var servers = await MailServers.StartAsync([Mailbox, .. requesters]);
        Console.WriteLine(Invariant($"Delivering {count:N0} requests over SMTP..."));
        for (var i = 0; i < count; i++)
        {
            await RawSmtp.SendAsync(MailServers.Host, servers.SmtpPort, requesters[i], Mailbox, Vary(templates[i % templates.Count], requesters[i], i));
        }

        await servers.WaitForNewMessagesAsync(Mailbox, count, TimeSpan.FromMinutes(5));

        // The limit: a plain MailKit fetch of every message's bytes, read-only (BODY.PEEK[]), changing nothing.
        var fetch = Stopwatch.StartNew();
        long fetchedBytes = 0;
        using (var client = new ImapClient())
        {
            await client.ConnectAsync(MailServers.Host, servers.ImapPort, SecureSocketOptions.None);
            await client.AuthenticateAsync(Mailbox, MailServers.Password);
            await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var uids = await client.Inbox.SearchAsync(MailKit.Search.SearchQuery.All);
            foreach (var uid in uids)
            {
                await using var stream = await client.Inbox.GetStreamAsync(uid);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                fetchedBytes += buffer.Length;
            }

            await client.DisconnectAsync(true);
        }

        fetch.Stop();

        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var cipher = new MessageCipher(RandomNumberGenerator.GetBytes(32));
        var store = new InboundMessageStore(dataSource, cipher, TimeProvider.System, NullLogger<InboundMessageStore>.Instance);
        var clocks = new ClockStore(dataSource, new DeadlineCalculator(BankHolidayFile.Load()), TimeProvider.System, NullLogger<ClockStore>.Instance);
        var jobs = new MemoryJobQueue();
        var workflows = new MemoryWorkflowEngine();
        var processor = new IntakeProcessor(dataSource, store, new MessageClassifier(), new CaseOpener(clocks, workflows, cipher, TimeProvider.System), workflows, jobs, TimeProvider.System, NullLogger<IntakeProcessor>.Instance);
        var smtp = new SmtpOptions { Host = MailServers.Host, Port = servers.SmtpPort, Tls = MailTls.None };
        using var sender = new SmtpMailSender(smtp);
        var handler = new SendAcknowledgementHandler(smtp, new AcknowledgementTemplates(), sender, cipher, clocks.Calculator, NullLogger<SendAcknowledgementHandler>.Instance);
        var reader = new MailboxReader(
            new MailboxOptions { Host = MailServers.Host, Port = servers.ImapPort, Tls = MailTls.None, Username = Mailbox, Password = MailServers.Password, BatchSize = 100 },
            store,
            new MailboxHealth(TimeProvider.System),
            TimeProvider.System,
            NullLogger<MailboxReader>.Instance);
        var processed = 0;
        var processing = TimeSpan.Zero;
        reader.OnStored = async ct =>
        {
            var started = Stopwatch.GetTimestamp();
            processed += await processor.ProcessPendingAsync(ct);
            processing += Stopwatch.GetElapsedTime(started);
        };

        var total = Stopwatch.StartNew();
        var stored = await reader.ReadOnceAsync();
        var readAndProcess = total.Elapsed;
        var sent = 0;
        foreach (var job in jobs.Jobs)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await handler.HandleAsync(new JobContext { JobId = job.Id, Kind = job.Kind, Attempt = 1, CaseId = job.CaseId, Payload = job.Payload, Transaction = transaction, Time = TimeProvider.System }, CancellationToken.None);
            await transaction.CommitAsync();
            sent++;
        }

        total.Stop();
        await using (var check = dataSource.CreateCommand("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM outbound_messages), (SELECT count(*) FROM case_clocks)"))
        await using (var row = await check.ExecuteReaderAsync())
        {
            await row.ReadAsync();
            Console.WriteLine();
            Console.WriteLine(Invariant($"Intake of {count:N0} delivered requests (Postfix -> Dovecot -> IMAP -> PostgreSQL -> SMTP)"));
            Console.WriteLine(Invariant($"  stored {stored:N0}, processed {processed:N0}, cases {row.GetInt64(0):N0} with clocks {row.GetInt64(2):N0}, acknowledgements sent {sent:N0} (recorded {row.GetInt64(1):N0})"));
        }

        var intakeRate = count / total.Elapsed.TotalSeconds;
        var fetchRate = count / fetch.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"  read, store and mark (IMAP)    {(readAndProcess - processing).TotalSeconds,8:0.00} s"));
        Console.WriteLine(Invariant($"  classify, open cases (DB)      {processing.TotalSeconds,8:0.00} s"));
        Console.WriteLine(Invariant($"  render and send acks (SMTP)    {(total.Elapsed - readAndProcess).TotalSeconds,8:0.00} s"));
        Console.WriteLine(Invariant($"  total                          {total.Elapsed.TotalSeconds,8:0.00} s   {intakeRate,8:N0} messages/s"));
        Console.WriteLine(Invariant($"  baseline: plain MailKit fetch  {fetch.Elapsed.TotalSeconds,8:0.00} s   {fetchRate,8:N0} messages/s ({fetchedBytes / 1024.0 / 1024.0:0.0} MiB)"));
        Console.WriteLine(Invariant($"  ratio intake/fetch             {intakeRate / fetchRate,8:0.000}"));
        return 0;
    }

    /// <summary>A realistic request from a template: its own sender, Message-ID and name, so nothing is a duplicate.</summary>
    private static byte[] Vary(string template, string from, int i)
    {
        var lines = template.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        for (var l = 0; l < lines.Count && lines[l].Length > 0; l++)
        {
            if (lines[l].StartsWith("From:", StringComparison.OrdinalIgnoreCase))
            {
                lines[l] = Invariant($"From: Requester {i} <{from}>");
            }
            else if (lines[l].StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))
            {
                lines[l] = Invariant($"Message-ID: <bench-{i}-{Guid.NewGuid():N}@example.com>");
            }
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + Invariant($"\nBenchmark message {i}.\n"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Job(long Id, string Kind, JsonElement Payload, long? CaseId);

    private sealed class MemoryJobQueue : IJobQueue
    {
        private long _next;

        public ConcurrentQueue<Job> Jobs { get; } = new();

        public Task<long> EnqueueAsync(NpgsqlTransaction transaction, string kind, object payload, long? caseId = null, DateTimeOffset? runAt = null, string? dedupeKey = null, CancellationToken cancellationToken = default)
        {
            var job = new Job(Interlocked.Increment(ref _next), kind, JsonSerializer.SerializeToElement(payload), caseId);
            Jobs.Enqueue(job);
            return Task.FromResult(job.Id);
        }
    }

    private sealed class MemoryWorkflowEngine : IWorkflowEngine
    {
        public Task<long> StartAsync(NpgsqlTransaction transaction, long caseId, string definitionId, JsonElement? data, string actor, CancellationToken cancellationToken = default) =>
            Task.FromResult(caseId);

        public Task<bool> RaiseAsync(NpgsqlTransaction transaction, long caseId, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken = default) =>
            Task.FromResult(true);
    }
}
