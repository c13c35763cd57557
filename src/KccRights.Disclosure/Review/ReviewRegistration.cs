using KccRights.Cases.Retention;
using KccRights.Disclosure.Review;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Disclosure;

/// <summary>The review and the four-eyes check (issue 13 Builds 1 and 3).</summary>
public static partial class DisclosureExtensions
{
    static partial void AddReview(IServiceCollection services, IConfiguration configuration)
    {
        services.AddMemoryCache();
        services.AddSingleton<ReviewStore>();
        services.AddSingleton<ReviewItems>();
        services.AddSingleton<ReviewGate>();
        services.AddSingleton<IDisclosureDecisions, ReviewDecisions>();
        services.AddSingleton<IWorkflowCondition, ReviewCompleteCondition>();
        services.AddSingleton<IWorkflowCondition, RedactionsAcceptedCondition>();
        services.AddSingleton<ICaseDataPurger, ReviewPurger>();
    }
}
