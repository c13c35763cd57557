using System.ComponentModel.DataAnnotations;
using KccRights.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KccRights.Infrastructure.Tests.Configuration;

public class ValidatedOptionsTests
{
    public sealed class SampleOptions : IValidatableObject
    {
        [System.ComponentModel.DataAnnotations.Range(1, 65535, ErrorMessage = "{0} must be between {1} and {2}")]
        public int Port { get; set; } = 993;

        [System.ComponentModel.DataAnnotations.Range(1, 10)]
        public int Batch { get; set; } = 5;

        public int Min { get; set; }

        public int Max { get; set; } = 1;

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (Max < Min)
            {
                yield return new ValidationResult("Sample:Max must not be below Sample:Min", [nameof(Max)]);
            }
        }
    }

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Test]
    public void GetValidated_WithBadValues_ThrowsOneLinePerSettingNamedInFull()
    {
        var configuration = Settings(("Sample:Port", "0"), ("Sample:Batch", "11"));

        var refused = Assert.Throws<OptionsValidationException>(() => configuration.GetValidated<SampleOptions>("Sample"));

        Assert.That(refused!.Failures, Is.EquivalentTo(new[]
        {
            "Sample:Port must be between 1 and 65535",
            "Sample:Batch must be between 1 and 10",
        }));
    }

    [Test]
    public void AddValidatedOptions_WithACrossFieldError_RefusesAtRegistrationAndOnStart()
    {
        var configuration = Settings(("Sample:Min", "5"), ("Sample:Max", "2"));

        var refused = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddValidatedOptions<SampleOptions>(configuration, "Sample"));

        Assert.That(refused!.Failures, Is.EqualTo(new[] { "Sample:Max must not be below Sample:Min" }));
    }

    [Test]
    public void AddValidatedOptions_WithGoodValues_RegistersTheOptionsAndTheValue()
    {
        var services = new ServiceCollection();
        var value = services.AddValidatedOptions<SampleOptions>(Settings(("Sample:Port", "143")), "Sample");
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Multiple(() =>
        {
            Assert.That(value.Port, Is.EqualTo(143));
            Assert.That(provider.GetRequiredService<SampleOptions>().Port, Is.EqualTo(143));
            Assert.That(provider.GetRequiredService<IOptions<SampleOptions>>().Value.Port, Is.EqualTo(143));
        });
    }

    [Test]
    public void Failures_OfAValidateOnStartAggregate_ListsEveryFailure()
    {
        var aggregate = new AggregateException(
            new OptionsValidationException("A", typeof(object), ["A:X is bad"]),
            new OptionsValidationException("B", typeof(object), ["B:Y is bad"]));

        Assert.That(ValidatedOptions.Failures(aggregate), Is.EqualTo(new[] { "A:X is bad", "B:Y is bad" }));
        Assert.That(ValidatedOptions.Failures(new InvalidOperationException("not options")), Is.Empty);
    }
}
