using KccRights.Cases.Retention;
using KccRights.Disclosure.Response;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Disclosure;

public static partial class DisclosureExtensions
{
    /// <summary>The draft response and its sign-off (issue 13 Builds 4 and 5): the store, the render job, the condition, retention.</summary>
    static partial void AddResponse(IServiceCollection services, IConfiguration configuration)
    {
        var registerPath = configuration["Register:File"] is { Length: > 0 } configured ? configured : null;
        services.AddSingleton(new ResponseRegister(registerPath));
        services.AddSingleton<ResponseStore>();
        services.AddSingleton<IResponseDocuments>(sp => sp.GetRequiredService<ResponseStore>());
        services.AddSingleton<ResponseDecisions>();
        services.AddSingleton<ResponseDrafts>();
        services.AddSingleton<IJobHandler, RenderResponseHandler>();
        services.AddSingleton<IWorkflowCondition, ResponseCurrentCondition>();
        services.AddSingleton<ICaseDataPurger, ResponsePurger>();
        services.AddSingleton<ResponseSignOff>();
        services.AddSingleton<KccRights.Cases.ITaskCompletionHook>(sp => sp.GetRequiredService<ResponseSignOff>());
    }
}
