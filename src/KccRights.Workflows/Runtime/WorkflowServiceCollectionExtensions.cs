using KccRights.Infrastructure.Configuration;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Wires the runtime. The caller provides the core services (NpgsqlDataSource, TimeProvider, DeadlineCalculator) and the
/// case ports (<see cref="ICaseClock"/>, <see cref="ICaseRows"/>, implemented by the Cases module). Modules add their job handlers (<c>IJobHandler</c>), task types (<see cref="HumanTaskType"/>),
/// conditions (<see cref="IWorkflowCondition"/>); Correspondence registers the <see cref="INotificationSender"/>.
/// </summary>
public static class WorkflowServiceCollectionExtensions
{
    /// <summary>The runtime with its options bound from the <c>Workflows</c> section and validated on start.</summary>
    public static IServiceCollection AddWorkflowRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Data annotations and IValidatableObject, each failure one line naming the setting (Workflows:Workers ...).
        services.AddOptions<WorkflowRuntimeOptions>()
            .Bind(configuration.GetSection(WorkflowRuntimeOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkflowRuntimeOptions>>(new ValidatedOptions.SectionValidator<WorkflowRuntimeOptions>(WorkflowRuntimeOptions.Section));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WorkflowRuntimeOptions>>().Value);
        return services.AddWorkflowRuntimeCore();
    }

    /// <summary>The runtime with options already registered as a <see cref="WorkflowRuntimeOptions"/> singleton (tests, tools).</summary>
    public static IServiceCollection AddWorkflowRuntimeCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // The runtime's own job handlers: timers and notifications. Every activity, condition and task type a definition
        // names is registered by the module that owns it; a definition naming one nobody registered is refused.
        services.AddSingleton<IJobHandler, WorkflowTimerHandler>();
        services.AddSingleton<IJobHandler, SendNotificationHandler>();
        services.AddSingleton<JobHandlerRegistry>();
        services.AddSingleton(sp => new WorkflowCatalog(
            sp.GetRequiredService<JobHandlerRegistry>().Kinds,
            sp.GetServices<HumanTaskType>().Select(t => t.Type),
            sp.GetServices<IWorkflowCondition>().Select(c => c.Name),
            sp.GetServices<HumanTaskType>().Where(t => t.SignOff).Select(t => t.Type),
            sp.GetService<INotificationTemplates>()));
        services.AddSingleton(sp => DefinitionRegistry.Load(
            sp.GetRequiredService<WorkflowRuntimeOptions>().Directory ?? DefinitionLoader.DefaultDirectory,
            sp.GetRequiredService<WorkflowCatalog>()));
        services.AddSingleton(sp => new Lazy<DefinitionRegistry>(sp.GetRequiredService<DefinitionRegistry>));
        services.AddSingleton<JobQueue>();
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<JobQueue>());
        services.AddSingleton<WorkflowEngine>();
        services.AddSingleton<IWorkflowEngine>(sp => sp.GetRequiredService<WorkflowEngine>());
        services.AddSingleton<JobStore>();
        services.AddSingleton<JobRunner>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<VersionMigrator>();
        return services;
    }

    /// <summary>Runs the job workers in this process (the number from the options; 0 runs none).</summary>
    public static IServiceCollection AddWorkflowWorkers(this IServiceCollection services) =>
        services.AddHostedService<JobWorkerPool>();
}
