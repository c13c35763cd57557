using KccRights.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KccRights.Cases;

/// <summary>
/// Registers the Cases module: opening, the clock, assignment, the queues and the timeline, and what the module gives
/// the workflow runtime (the case ports, its activities, conditions and task types). The caller provides the core
/// services (NpgsqlDataSource, TimeProvider, DeadlineCalculator, AuditLog, StaffStore, IPersonalDataCipher).
/// </summary>
public static class CasesModule
{
    public static IHostApplicationBuilder AddKccCases(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCases();
        return builder;
    }

    public static IServiceCollection AddCases(this IServiceCollection services)
    {
        services.AddSingleton<CaseStore>();
        services.AddSingleton<ClockStore>();
        services.AddSingleton<CaseOpener>();
        services.AddSingleton<CaseQueries>();
        services.AddSingleton<CaseSearchIndex>();
        services.AddSingleton<CaseSearch>();
        services.AddSingleton<CaseActions>();
        services.AddSingleton<CaseTimeline>();
        services.AddSingleton<CaseClockPort>();
        services.AddSingleton<ICaseClock>(sp => sp.GetRequiredService<CaseClockPort>());
        services.AddSingleton<ICaseRows>(sp => sp.GetRequiredService<CaseClockPort>());

        // Activities the definitions name that open, close or convert a case.
        services.AddSingleton<IJobHandler, CloseCaseHandler>();
        services.AddSingleton<IJobHandler, OpenAccessCaseHandler>();

        // Conditions: the instance's data and outcomes, and the Art 12(3) extension rule on the clock.
        foreach (var condition in CaseConditions.DataConditions)
        {
            services.AddSingleton(condition);
        }

        services.AddSingleton<IWorkflowCondition, ExtensionAllowedCondition>();
        services.AddSingleton<IWorkflowCondition, NotExtendedCondition>();
        foreach (var taskType in CaseTaskTypes.All)
        {
            services.AddSingleton(taskType);
        }

        return services;
    }
}
