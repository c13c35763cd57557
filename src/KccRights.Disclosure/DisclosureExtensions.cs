using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Disclosure;

/// <summary>
/// Wires the disclosure stages into a host (issue 13): each stage registers its own services in its own file (the
/// partial methods below), so the review, the suggestions, the response and dispatch stay apart.
/// </summary>
public static partial class DisclosureExtensions
{
    public static IServiceCollection AddDisclosure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddReview(services, configuration);
        AddSuggestions(services, configuration);
        AddResponse(services, configuration);
        AddDispatch(services, configuration);
        return services;
    }

    static partial void AddReview(IServiceCollection services, IConfiguration configuration);

    static partial void AddSuggestions(IServiceCollection services, IConfiguration configuration);

    static partial void AddResponse(IServiceCollection services, IConfiguration configuration);

    static partial void AddDispatch(IServiceCollection services, IConfiguration configuration);
}
