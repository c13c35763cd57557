using KccRights.Disclosure.Suggestions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Disclosure;

public static partial class DisclosureExtensions
{
    /// <summary>The suggestion engine (issue 13 Build 2); <see cref="IKnownPeopleSource"/> comes from Collation.</summary>
    static partial void AddSuggestions(IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton<ISuggestionSource, SuggestionEngine>();
}
