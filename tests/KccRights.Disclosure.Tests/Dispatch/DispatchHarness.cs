using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using KccRights.Cases;
using KccRights.Correspondence.Smtp;
using KccRights.Disclosure.Response;
using KccRights.Domain.Cases;
using KccRights.Host.Composition;
using KccRights.TestSupport;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Npgsql;
using NUnit.Framework;
using PdfSharp.Pdf;

namespace KccRights.Disclosure.Tests.Dispatch;

/// <summary>
/// The service's one wiring (AddKccRights) on a fresh migrated database, sending through the private Postfix, with time
/// from a <see cref="FakeTimeProvider"/> and the approved response PDF from <see cref="ApprovedPdf"/> (the draft-response
/// store implements <see cref="IResponseDocuments"/>; here a test double stands in for it).
/// </summary>
internal sealed class DispatchHarness : IAsyncDisposable
{
    // Monday 2 March 2026, 09:00 in London (GMT).
    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<string> NoSourceSystems = new(() =>
    {
        var file = Path.Combine(Path.GetTempPath(), $"kcc-no-source-systems-disclosure-{Environment.ProcessId}.json");
        File.WriteAllText(file, "{ \"SourceSystems\": { \"Systems\": [], \"DemoServer\": { \"Enabled\": false } } }");
        return file;
    });

    private DispatchHarness(ServiceProvider services, FakeTimeProvider time, ApprovedPdf documents)
    {
        Services = services;
        Time = time;
        Documents = documents;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public ApprovedPdf Documents { get; }

    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();

    public WorkflowEngine Engine => Services.GetRequiredService<WorkflowEngine>();

    public static async Task<DispatchHarness> CreateAsync(MailServers servers, IEnumerable<KeyValuePair<string, string?>>? settings = null, Func<IServiceProvider, IMailSender>? mailSender = null)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var time = new FakeTimeProvider(Monday);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(new WorkflowRuntimeOptions { Directory = Path.Combine(AppContext.BaseDirectory, "workflows"), LeaseSeconds = 30, HeartbeatSeconds = 10, BackoffBaseSeconds = 1, BackoffMaxSeconds = 60, MaxAttempts = 3 });
        if (mailSender is not null)
        {
            services.AddSingleton(mailSender);
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(
            [
                KccRightsWiring.ThrowawayEncryptionKey(),
                new("SourceSystems:File", NoSourceSystems.Value),
                new("Intake:Smtp:Host", MailServers.Host),
                new("Intake:Smtp:Port", servers.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Intake:Smtp:Tls", "None"),
                new("Disclosure:Dispatch:PublicBaseUrl", "https://rights.example.test"),
            ])
            .AddInMemoryCollection(settings ?? [])
            .Build();
        services.AddKccRights(configuration, connectionString);
        var documents = new ApprovedPdf();
        services.AddSingleton<IResponseDocuments>(documents);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DefinitionRegistry>().StoreVersionsAsync(provider.GetRequiredService<NpgsqlDataSource>(), time);
        return new DispatchHarness(provider, time, documents);
    }

    /// <summary>An access case from <paramref name="email"/>, walked to the DPO's approval (which starts dispatch).</summary>
    public async Task<long> ApprovedCaseAsync(string email, int pages = 2, object? drafted = null)
    {
        long caseId;
        await using (var connection = await DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var opened = await Services.GetRequiredService<CaseOpener>().OpenAsync(transaction, new OpenCaseCommand
            {
                Right = Right.Access,
                Channel = "email",
                ReceivedAt = Time.GetUtcNow(),
                Actor = "intake",
                Parties = new CaseRequestParties { RequesterName = "Sarah Whitlock", RequesterEmail = email },
            });
            caseId = opened.Id;
            await Engine.StartAsync(transaction, caseId, "access", null, "intake");
            await transaction.CommitAsync();
        }

        await RunJobsAsync();
        await CompleteAsync(caseId, "triaged", new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false });
        await CompleteAsync(caseId, "confirmed");
        await CompleteAsync(caseId, "reviewed");
        await CompleteAsync(caseId, "checked", actor: "officer-b");
        await CompleteAsync(caseId, "drafted", drafted);
        Documents.Approve(caseId, Pdf(pages, $"response for case {caseId}"));
        await CompleteAsync(caseId, "approved", actor: "dpo");
        return caseId;
    }

    public async Task<int> RunJobsAsync() => await Services.GetRequiredService<JobRunner>().RunDueAsync("test-worker");

    public async Task CompleteAsync(long caseId, string outcome, object? data = null, string actor = "officer-a")
    {
        await using (var connection = await DataSource.OpenConnectionAsync())
        {
            var taskId = await connection.ExecuteScalarAsync<long?>("SELECT id FROM workflow_tasks WHERE case_id = @caseId AND status = 'open'", new { caseId })
                ?? throw new AssertionException($"Case {caseId} has no open task (state {await StateAsync(caseId)}).");
            await using var transaction = await connection.BeginTransactionAsync();
            await Engine.CompleteTaskAsync(transaction, taskId, outcome, data is null ? null : JsonSerializer.SerializeToElement(data), actor, take: true);
            await transaction.CommitAsync();
        }

        await RunJobsAsync();
    }

    public async Task<string> StateAsync(long caseId) =>
        await ScalarAsync<string>("SELECT state FROM workflow_instances WHERE case_id = @caseId ORDER BY id DESC LIMIT 1", new { caseId });

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new AssertionException($"No value from: {sql}");
    }

    /// <summary>A PDF of <paramref name="pages"/> empty pages titled <paramref name="title"/>.</summary>
    public static byte[] Pdf(int pages, string title)
    {
        using var document = new PdfDocument();
        document.Info.Title = title;
        for (var i = 0; i < pages; i++)
        {
            document.AddPage();
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The messages in <paramref name="address"/>'s inbox, oldest first, once <paramref name="count"/> have arrived.</summary>
    public static async Task<IReadOnlyList<MimeMessage>> InboxAsync(MailServers servers, string address, int count)
    {
        await servers.WaitForNewMessagesAsync(address, count, TimeSpan.FromSeconds(30));
        using var imap = new ImapClient();
        await imap.ConnectAsync(MailServers.Host, servers.ImapPort, SecureSocketOptions.None);
        await imap.AuthenticateAsync(address, MailServers.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var messages = new List<MimeMessage>();
        for (var i = 0; i < imap.Inbox.Count; i++)
        {
            messages.Add(await imap.Inbox.GetMessageAsync(i));
        }

        await imap.DisconnectAsync(true);
        return messages.OrderBy(m => m.Date).ThenBy(m => m.Subject, StringComparer.Ordinal).ToList();
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

/// <summary>A stand-in for the draft-response store: the PDF the DPO approved, per case.</summary>
internal sealed class ApprovedPdf : IResponseDocuments
{
    private readonly Dictionary<long, ResponseDocument> _approved = [];

    public void Approve(long caseId, byte[] pdf)
    {
        using var reader = PdfSharp.Pdf.IO.PdfReader.Open(new MemoryStream(pdf), PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import);
        _approved[caseId] = new ResponseDocument(1000 + caseId, caseId, 1, pdf, Convert.ToHexStringLower(SHA256.HashData(pdf)), reader.PageCount, DispatchHarness.Monday)
        {
            ApprovedBy = "dpo",
            ApprovedAt = DispatchHarness.Monday,
        };
    }

    public Task<ResponseDocument?> LatestAsync(long caseId, CancellationToken cancellationToken) => ApprovedAsync(caseId, cancellationToken);

    public Task<ResponseDocument?> ApprovedAsync(long caseId, CancellationToken cancellationToken) =>
        Task.FromResult(_approved.TryGetValue(caseId, out var document) ? document : null);
}
