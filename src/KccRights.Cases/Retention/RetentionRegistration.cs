using KccRights.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Cases.Retention;

/// <summary>Registers retention: its options (section <c>Retention</c>, validated at start), the purge and the Cases and workflow purgers.</summary>
public static class RetentionRegistration
{
    public static IServiceCollection AddCaseRetention(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<RetentionOptions>(configuration, RetentionOptions.Section);
        services.AddSingleton<CaseRetention>();
        services.AddSingleton<ICaseDataPurger, CasesDataPurger>();
        services.AddSingleton<ICaseDataPurger, WorkflowsDataPurger>();
        return services;
    }

    /// <summary>The periodic sweep, for <c>serve</c> only (commands and tests purge when they are told to).</summary>
    public static IServiceCollection AddRetentionSweep(this IServiceCollection services)
    {
        services.AddHostedService<RetentionSweep>();
        return services;
    }
}
