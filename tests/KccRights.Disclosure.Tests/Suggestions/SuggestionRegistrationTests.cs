using KccRights.Collation.Connectors;
using KccRights.Disclosure.Suggestions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests.Suggestions;

public sealed class SuggestionRegistrationTests
{
    [Test]
    public void AddDisclosure_RegistersTheSuggestionEngine()
    {
        var services = new ServiceCollection();
        services.AddDisclosure(new ConfigurationBuilder().Build());
        Assert.That(services.Where(d => d.ServiceType == typeof(ISuggestionSource)).Select(d => d.ImplementationType), Is.EqualTo(new[] { typeof(SuggestionEngine) }));
    }

    [Test]
    public void SourceSystems_ARelatedPeopleQueryWithoutThePersonParameter_IsRefused()
    {
        var options = new SourceSystemsOptions
        {
            Systems =
            [
                new SourceSystemOptions
                {
                    Id = "education",
                    Kind = SourceKinds.Postgres,
                    Datasets = [new DatasetOptions { Id = "pupils", Query = "SELECT 1 WHERE @person_id IS NOT NULL" }],
                    RelatedPeople = new RelatedPeopleOptions { Query = "SELECT person_id, given, family, relationship FROM people" },
                },
            ],
        };
        Assert.That(options.Validate(), Has.One.Contains("RelatedPeople:Query must use the @person_id parameter"));
        options.Systems[0].RelatedPeople!.Query = "SELECT person_id, given, family, relationship FROM people WHERE of = @person_id";
        Assert.That(options.Validate(), Is.Empty);
    }
}
