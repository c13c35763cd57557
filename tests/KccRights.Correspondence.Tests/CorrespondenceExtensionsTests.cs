using KccRights.Correspondence.Letters;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Correspondence.Tests;

public class CorrespondenceExtensionsTests
{
    private static readonly string[] Letters = [.. RequesterLetterHandler.Kinds, "send-extension-notice"];

    private static ServiceCollection Core()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create("Host=127.0.0.1;Username=unused"));
        services.AddSingleton(new DeadlineCalculator(BankHolidayFile.Load()));
        services.AddSingleton<ClockStore>();
        services.AddSingleton<IPersonalDataCipher, NoCipher>();

        // What the workflow runtime registers by default.
        services.TryAddSingleton<INotificationSender, RecordingNotificationSender>();
        return services;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Test]
    public async Task AddCorrespondence_WithAnSmtpHost_RegistersTheAcknowledgementTheLettersAndTheEmailSender()
    {
        await using var provider = Core().AddCorrespondence(Configuration(("Intake:Smtp:Host", "smtp.office365.com"))).BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetServices<IJobHandler>().Select(h => h.Kind), Is.EquivalentTo(Letters.Append("send-acknowledgement").Append("send-triage-reply")));
            Assert.That(provider.GetRequiredService<INotificationSender>(), Is.InstanceOf<MailNotificationSender>());
            Assert.That(provider.GetRequiredService<Smtp.SmtpOptions>().Host, Is.EqualTo("smtp.office365.com"));
        });
    }

    [Test]
    public async Task AddCorrespondence_WithNoSmtpHost_LeavesLettersRecordedOnly()
    {
        await using var provider = Core().AddCorrespondence(Configuration()).BuildServiceProvider();

        Assert.That(provider.GetRequiredService<INotificationSender>(), Is.InstanceOf<RecordingNotificationSender>());
    }

    [Test]
    public async Task AddCorrespondenceActivities_CalledAgain_RegistersEachLetterOnce()
    {
        await using var provider = Core().AddCorrespondence(Configuration()).AddCorrespondenceActivities().AddCorrespondenceActivities().BuildServiceProvider();

        Assert.That(provider.GetServices<IJobHandler>().Select(h => h.Kind).Where(Letters.Contains), Is.EquivalentTo(Letters));
    }

    [TestCase("Intake:Smtp:Port", "0")]
    [TestCase("Intake:Smtp:FromAddress", "not an address")]
    public void AddKccCorrespondence_WithABadSetting_StopsStartUpNamingIt(string key, string value)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(key, value)]);
        builder.AddKccCorrespondence();
        using var host = builder.Build();

        Assert.That(async () => await host.StartAsync(), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains(key));
    }

    private sealed class NoCipher : IPersonalDataCipher
    {
        public byte[] Seal(string text, string context) => throw new NotSupportedException();

        public string Open(byte[] sealedValue, string context) => throw new NotSupportedException();

        public bool IsCurrent(string keyId) => true;

        public byte[] DeriveKey(string purpose) => new byte[32];
    }
}
