using System.Security.Cryptography;
using Dapper;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Mail;
using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Smtp;
using KccRights.Intake.Classification;
using KccRights.Intake.Mailbox;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Intake.Tests.Support;

/// <summary>Intake wired to a fresh real PostgreSQL database (and, when given, real mail servers).</summary>
public sealed class IntakeHarness : IAsyncDisposable
{
    private readonly List<long> _ran = [];

    private IntakeHarness(NpgsqlDataSource dataSource, MessageCipher cipher, MessageClassifier? classifier = null)
    {
        DataSource = dataSource;
        Cipher = cipher;
        Clocks = new ClockStore(dataSource, new DeadlineCalculator(BankHolidayFile.Load()), TimeProvider.System, NullLogger<ClockStore>.Instance);
        Store = new InboundMessageStore(dataSource, cipher, TimeProvider.System, NullLogger<InboundMessageStore>.Instance);
        Opener = new CaseOpener(Clocks, Workflows, cipher, TimeProvider.System);
        Processor = new IntakeProcessor(dataSource, Store, classifier ?? new MessageClassifier(), Opener, Workflows, Jobs, TimeProvider.System, NullLogger<IntakeProcessor>.Instance);
    }

    public NpgsqlDataSource DataSource { get; }

    public MessageCipher Cipher { get; }

    public ClockStore Clocks { get; }

    public CaseOpener Opener { get; }

    public InboundMessageStore Store { get; }

    public IntakeProcessor Processor { get; }

    public RecordingJobQueue Jobs { get; } = new();

    public RecordingWorkflowEngine Workflows { get; } = new();

    public static async Task<IntakeHarness> CreateAsync(MessageClassifier? classifier = null, byte[]? key = null)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        return new IntakeHarness(NpgsqlDataSource.Create(connectionString), new MessageCipher(key ?? RandomNumberGenerator.GetBytes(32)), classifier);
    }

    public MailboxReader Reader(
        MailServers servers, string mailbox, bool moveToProcessed = true, MailboxHealth? health = null, Microsoft.Extensions.Logging.ILogger<MailboxReader>? logger = null, InboundMessageStore? store = null) =>
        new(
            new MailboxOptions
            {
                Host = MailServers.Host,
                Port = servers.ImapPort,
                Tls = MailTls.None,
                Username = mailbox,
                Password = MailServers.Password,
                ProcessedFolder = moveToProcessed ? "Processed" : null,
                RetryInitial = TimeSpan.FromMilliseconds(200),
                RetryMax = TimeSpan.FromSeconds(1),
                PollInterval = TimeSpan.FromMilliseconds(500),
                Timeout = TimeSpan.FromSeconds(10),
            },
            store ?? Store,
            health ?? new MailboxHealth(TimeProvider.System),
            TimeProvider.System,
            logger ?? NullLogger<MailboxReader>.Instance);

    public static SmtpOptions Smtp(MailServers servers) => new()
    {
        Host = MailServers.Host,
        Port = servers.SmtpPort,
        Tls = MailTls.None,
        FromAddress = "data.protection@kent.gov.uk",
    };

    public SendAcknowledgementHandler AcknowledgementHandler(IMailSender sender, SmtpOptions options) =>
        new(options, new AcknowledgementTemplates(), sender, Cipher, Clocks.Calculator, NullLogger<SendAcknowledgementHandler>.Instance);

    /// <summary>Every case's requester, subject and agent's reference, opened from case_requests.sealed_parties.</summary>
    public async Task<IReadOnlyList<CaseRequestParties>> PartiesAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(long CaseId, byte[]? SealedParties)>("SELECT case_id, sealed_parties FROM case_requests ORDER BY case_id");
        return rows.Select(r => CaseRequestParties.Open(Cipher, r.CaseId, r.SealedParties)).ToList();
    }

    /// <summary>Runs each recorded send-acknowledgement job once, as the workflow runtime's worker would: in its own transaction.</summary>
    public async Task<int> RunAcknowledgementJobsAsync(IJobHandler handler)
    {
        var ran = 0;
        foreach (var job in Jobs.Jobs.Where(j => j.Kind == handler.Kind && !_ran.Contains(j.Id)).ToList())
        {
            await RunJobAsync(handler, job);
            _ran.Add(job.Id);
            ran++;
        }

        return ran;
    }

    public async Task<string?> RunJobAsync(IJobHandler handler, RecordedJob job, int attempt = 1)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(job);
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var outcome = await handler.HandleAsync(
            new JobContext { JobId = job.Id, Kind = job.Kind, Attempt = attempt, CaseId = job.CaseId, Payload = job.Payload, Transaction = transaction, Time = TimeProvider.System },
            CancellationToken.None);
        await transaction.CommitAsync();
        return outcome;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("no value: " + sql);
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public async ValueTask DisposeAsync() => await DataSource.DisposeAsync();
}
