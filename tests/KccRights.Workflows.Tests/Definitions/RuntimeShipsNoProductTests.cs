using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using KccRights.Workflows.Validation;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KccRights.Workflows.Tests.Definitions;

/// <summary>
/// Issue 10 item 3: the runtime is a library that knows no product. On its own it registers no activity, condition or
/// task type a definition names, so the shipped definitions are refused until the modules register theirs; with the
/// service's one wiring (AddKccRights) they validate.
/// </summary>
public class RuntimeShipsNoProductTests
{
    private static ServiceProvider RuntimeAlone() =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(BankHolidayFile.Load())
            .AddSingleton<DeadlineCalculator>()
            .AddSingleton(new WorkflowRuntimeOptions { Directory = Paths.Workflows })
            .AddSingleton<ICaseClock, NoCases>()
            .AddSingleton<ICaseRows, NoCases>()
            .AddSingleton<INotificationSender, NoCases>()
            .AddWorkflowRuntimeCore()
            .BuildServiceProvider();

    [Test]
    public void TheRuntimeAlone_RegistersOnlyItsOwnJobsAndNoConditionOrTaskType()
    {
        using var provider = RuntimeAlone();
        var catalog = provider.GetRequiredService<JobHandlerRegistry>();
        Assert.Multiple(() =>
        {
            Assert.That(catalog.Kinds, Is.EquivalentTo(new[] { "workflow-timer", "send-notification" }));
            Assert.That(provider.GetServices<IWorkflowCondition>(), Is.Empty);
            Assert.That(provider.GetServices<HumanTaskType>(), Is.Empty);
        });
    }

    [Test]
    public void TheShippedDefinitions_AreRefused_WhenNoModuleRegisteredWhatTheyName()
    {
        using var provider = RuntimeAlone();
        var ex = Assert.Throws<InvalidWorkflowDefinitionsException>(() => provider.GetRequiredService<DefinitionRegistry>());
        var messages = string.Join("\n", ex!.Errors);
        Assert.Multiple(() =>
        {
            // An activity (Cases' close-case), a condition (the Art 12(3) rule) and a task type (the DPO's sign-off).
            Assert.That(messages, Does.Contain("close-case"));
            Assert.That(messages, Does.Contain("extension-allowed"));
            Assert.That(messages, Does.Contain("dpo-sign-off"));
        });
    }

    [Test]
    public void TheShippedDefinitions_Validate_WithTheServicesOneWiring()
    {
        var set = DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog());
        Assert.That(set.Errors, Is.Empty, string.Join(Environment.NewLine, set.Errors));
    }

    /// <summary>The case ports and the notification sender with no module behind them (never called here).</summary>
    private sealed class NoCases : ICaseClock, ICaseRows, INotificationSender
    {
        public string LockCaseOfTaskSql => throw new NotSupportedException();

        public string OfficerAssignedSql => throw new NotSupportedException();

        public Task<CaseDates?> DatesAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ChangeAsync(NpgsqlTransaction transaction, long caseId, ClockAction action, DateOnly effectiveOn, string reason, string actor, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task SendAsync(OutboundNotification notification, JobContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
