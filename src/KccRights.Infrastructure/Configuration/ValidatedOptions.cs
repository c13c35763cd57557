using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KccRights.Infrastructure.Configuration;

/// <summary>
/// One way to read a configuration section (issue 10, item 5): bound to its options class, checked by the class's data
/// annotations (and <see cref="IValidatableObject"/>, and any extra <see cref="IValidateOptions{TOptions}"/>), and
/// validated on start. Every failure is one line naming the setting in full, e.g.
/// <c>Intake:Mailbox:Port must be between 1 and 65535</c>, so a misconfigured service refuses to start saying what to fix.
/// </summary>
public static partial class ValidatedOptions
{
    /// <summary>
    /// Registers <typeparamref name="T"/> bound from <paramref name="section"/> (as <c>IOptions&lt;T&gt;</c> and as a
    /// <typeparamref name="T"/> singleton), validated on start; and validates it now, so registration-time wiring (which
    /// handlers to add) reads checked values. Throws <see cref="OptionsValidationException"/> listing every failure.
    /// </summary>
    public static T AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section, params IValidateOptions<T>[] validators)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(validators);
        var value = configuration.GetValidated(section, validators);
        services.AddOptions<T>()
            .Bind(configuration.GetSection(section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        foreach (var validator in validators)
        {
            services.AddSingleton(validator);
        }

        services.AddSingleton(value);
        return value;
    }

    /// <summary>Binds and validates a section without a container (the commands and the database bootstrap read these before one exists).</summary>
    public static T GetValidated<T>(this IConfiguration configuration, string section, params IValidateOptions<T>[] validators)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(validators);
        var value = configuration.GetSection(section).Get<T>() ?? new T();
        var failures = new SectionValidator<T>(section).Validate(Options.DefaultName, value).Failures ?? [];
        failures = failures.Concat(validators.SelectMany(v => v.Validate(Options.DefaultName, value).Failures ?? [])).ToList();
        if (failures.Any())
        {
            throw new OptionsValidationException(section, typeof(T), failures);
        }

        return value;
    }

    /// <summary>
    /// The failures behind an exception from options validation (a single <see cref="OptionsValidationException"/>, or
    /// several from <c>ValidateOnStart</c> wrapped in an <see cref="AggregateException"/>); empty when it is something else.
    /// </summary>
    public static IReadOnlyList<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException options => options.Failures.ToList(),
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Failures).ToList(),
        _ => [],
    };

    /// <summary>Data annotations and <see cref="IValidatableObject"/>, each failure named by its full configuration key.</summary>
    public sealed class SectionValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            return results.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(results.Select(r => Describe(section, r)));
        }
    }

    /// <summary>"Port must be between 1 and 65535." becomes "Intake:Mailbox:Port must be between 1 and 65535".</summary>
    public static string Describe(string section, ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var message = (result.ErrorMessage ?? "is not valid").TrimEnd('.');
        if (message.StartsWith(section + ":", StringComparison.Ordinal))
        {
            return message;
        }

        var member = result.MemberNames.FirstOrDefault();
        if (member is not null)
        {
            // The framework's default wording ("The field Port must be ...") loses its preamble.
            var named = new Regex($@"^The field {Regex.Escape(member)}\b|\b{Regex.Escape(member)}\b", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (named.IsMatch(message))
            {
                return named.Replace(message, $"{section}:{member}", 1);
            }

            return $"{section}:{member}: {message}";
        }

        return $"{section}: {message}";
    }
}
