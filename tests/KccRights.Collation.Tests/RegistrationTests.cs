using KccRights.Collation.Connectors;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Collation.Tests;

public class RegistrationTests
{
    [Test]
    public async Task AddKccCollation_RegistersHandlersTaskTypesAndTheShippedSystems()
    {
        var demo = await DemoSystems.GetAsync();
        using var host = Build(demo, new Dictionary<string, string?> { ["SourceSystems:DemoServer:Enabled"] = "false" });
        await host.StartAsync();
        Assert.That(host.Services.GetServices<IJobHandler>().Select(h => h.Kind), Is.SupersetOf(new[] { "find-candidates", "collate-records", "collate-system", "manual-search-chaser" }));
        Assert.That(host.Services.GetServices<IWorkflowCondition>().Select(c => c.Name), Does.Contain("identities-decided"));
        Assert.That(host.Services.GetServices<HumanTaskType>().Select(t => t.Type), Is.SupersetOf(new[] { "confirm-identities", "manual-search" }));
        Assert.That(host.Services.GetRequiredService<IOptions<SourceSystemsOptions>>().Value.Systems.Select(s => s.Id),
            Is.EqualTo(new[] { "education", "early-help", "social-care", "youth-justice", "send", "admissions", "documents" }));
        await host.StopAsync();
    }

    [Test]
    public async Task AddKccCollation_WithABadSystem_RefusesToStartNamingTheSetting()
    {
        var demo = await DemoSystems.GetAsync();
        using var host = Build(demo, new Dictionary<string, string?> { ["SourceSystems:DemoServer:Enabled"] = "false", ["SourceSystems:Systems:1:Kind"] = "ldap" });
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(ex!.Message, Does.Contain("SourceSystems:Systems:1 (early-help):Kind 'ldap'"));
    }

    private static IHost Build(DemoSystems demo, Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = demo.DataDirectory });
        builder.Services.AddSingleton(demo.DataSource);
        builder.Services.AddSingleton<IPersonalDataCipher, TestCipher>();
        builder.Services.AddSingleton<IJobQueue, NoQueue>();
        builder.Services.AddSingleton<IWorkflowEngine, NoEngine>();
        builder.Services.AddSingleton<ICaseClock, NoClock>();
        builder.Services.AddSingleton<KccRights.Workflows.Reminders.INotificationSender, NoSender>();
        builder.Services.AddSingleton(new KccRights.Domain.Deadlines.DeadlineCalculator(KccRights.Infrastructure.Deadlines.BankHolidayFile.Load()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddLogging();
        builder.AddKccCollation();
        return builder.Build();
    }

    private sealed class NoEngine : IWorkflowEngine
    {
        public Task<long> StartAsync(NpgsqlTransaction transaction, long caseId, string definitionId, System.Text.Json.JsonElement? data, string actor, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> RaiseAsync(NpgsqlTransaction transaction, long caseId, string eventName, System.Text.Json.JsonElement? data, string actor, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class NoClock : ICaseClock
    {
        public Task<KccRights.Domain.Deadlines.CaseDates?> DatesAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ChangeAsync(NpgsqlTransaction transaction, long caseId, KccRights.Workflows.Definitions.ClockAction action, DateOnly effectiveOn, string reason, string actor, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoSender : KccRights.Workflows.Reminders.INotificationSender
    {
        public Task SendAsync(KccRights.Workflows.Reminders.OutboundNotification notification, JobContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class NoQueue : IJobQueue
    {
        public Task<long> EnqueueAsync(NpgsqlTransaction transaction, string kind, object payload, long? caseId = null, DateTimeOffset? runAt = null, string? dedupeKey = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
