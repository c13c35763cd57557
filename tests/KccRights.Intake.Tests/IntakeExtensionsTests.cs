using KccRights.Cases;
using KccRights.Correspondence;
using KccRights.Correspondence.Letters;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Intake.Mailbox;
using KccRights.Intake.Processing;
using KccRights.Intake.Tests.Support;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace KccRights.Intake.Tests;

public class IntakeExtensionsTests
{
    private static ServiceCollection Core()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create("Host=127.0.0.1;Username=unused"));
        services.AddSingleton(new DeadlineCalculator(BankHolidayFile.Load()));
        services.AddSingleton<ClockStore>();
        services.AddSingleton<CaseOpener>();
        services.AddSingleton<IWorkflowEngine, RecordingWorkflowEngine>();
        services.AddSingleton<IJobQueue, RecordingJobQueue>();
        return services;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Test]
    public async Task AddIntake_WithAMailbox_ComposesTheReaderProcessorJobHandlerAndWorker()
    {
        var data = Path.Combine(Path.GetTempPath(), "kcc-intake-di-" + Guid.NewGuid().ToString("N"));
        var configuration = Configuration(("Intake:Mailbox:Host", "outlook.office365.com"), ("Intake:Mailbox:Username", "data.protection@kent.gov.uk"), ("Intake:Mailbox:Password", "x"), ("Intake:Smtp:Host", "smtp.office365.com"));

        // Acknowledgements and letters are sent by Correspondence, wired beside intake as serve does.
        var services = Core().AddIntake(configuration, data).AddCorrespondence(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IntakeProcessor>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<MailboxReader>(), Is.Not.Null);
            Assert.That(provider.GetServices<IJobHandler>().Select(h => h.Kind), Is.EquivalentTo(new[] { "send-acknowledgement", "send-triage-reply", "delete-id-copies", "send-extension-notice" }.Concat(RequesterLetterHandler.Kinds)));
            Assert.That(provider.GetRequiredService<KccRights.Workflows.Reminders.INotificationSender>(), Is.InstanceOf<MailNotificationSender>(), "letters go by email when SMTP is set");
            Assert.That(provider.GetServices<IHostedService>().OfType<IntakeWorker>(), Has.Exactly(1).Items);
            Assert.That(provider.GetRequiredService<MailboxHealth>().Current.State, Is.EqualTo(MailboxState.Starting));
        });
        Directory.Delete(data, recursive: true);
    }

    [Test]
    public void AddIntake_WithAnIncompleteMailbox_RefusesToStartSayingWhatIsMissing()
    {
        var configuration = Configuration(("Intake:Mailbox:Host", "imap.example.com"));

        Assert.That(
            () => Core().AddIntake(configuration, Path.GetTempPath()),
            Throws.InvalidOperationException.With.Message.Contains("Intake:Mailbox:Username is required").And.Message.Contains("Intake:Mailbox:Password is required"));
    }

    [Test]
    public void AddIntake_WithNoMailbox_RunsNoWorker()
    {
        var services = Core().AddIntake(Configuration(), Path.GetTempPath());

        Assert.That(services.Any(s => s.ImplementationType == typeof(IntakeWorker)), Is.False);
    }
}
