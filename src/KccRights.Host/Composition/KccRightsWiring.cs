using System.ComponentModel.DataAnnotations;
using KccRights.Cases;
using KccRights.Collation;
using KccRights.Disclosure;
using KccRights.Correspondence;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Staff;
using KccRights.Intake;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace KccRights.Host.Composition;

/// <summary>Options for the statutory clock. Validated on start: the bank-holiday file must be readable and well formed.</summary>
public sealed class DeadlineOptions : IValidatableObject
{
    public const string Section = "Deadlines";

    /// <summary>A bank-holiday file in the gov.uk shape; default: bank-holidays.json beside the executable.</summary>
    public string? BankHolidaysFile { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? problem = null;
        try
        {
            BankHolidayFile.Load(BankHolidaysFile);
        }
        catch (BankHolidayDataException ex)
        {
            problem = ex.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"{Section}:{nameof(BankHolidaysFile)}: {problem}", [nameof(BankHolidaysFile)]);
        }
    }
}

/// <summary>
/// The one wiring of KCC Rights (docs/architecture.md): the core services, then each module's own registration along
/// the pipeline (Cases, Intake, the workflow runtime...). <c>serve</c>, the admin commands, the test worker, the test
/// harnesses and the benchmarks all call this; each then adds only what is its own (the web app and workers for
/// <c>serve</c>, a fake clock for a test). A service registered before this call wins where the core would add the same
/// (a test's TimeProvider, runtime options or notification sender).
/// </summary>
public static class KccRightsWiring
{
    public static IHostApplicationBuilder AddKccRights(this IHostApplicationBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKccRights(builder.Configuration, connectionString);
        return builder;
    }

    public static IServiceCollection AddKccRights(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddKccCore(configuration, connectionString);
        services.AddCases();
        KccRights.Cases.Retention.RetentionRegistration.AddCaseRetention(services, configuration);
        var storage = configuration.GetValidated<StorageOptions>(StorageOptions.Section);
        services.AddIntake(configuration, Path.GetFullPath(storage.DataDirectory));
        services.AddCorrespondence(configuration);
        services.AddCollation(configuration);
        services.AddDisclosure(configuration);
        services.AddWorkflowRuntime(configuration);
        return services;
    }

    /// <summary>The database, the bank-holiday calendar, the deadline engine, the audit trail and the staff directory.</summary>
    internal static IServiceCollection AddKccCore(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        DapperSetup.Configure();
        var options = services.AddValidatedOptions<DeadlineOptions>(configuration, DeadlineOptions.Section);

        // Loaded once at start (and checked by the options' validation) so a bad file stops the service with a clear
        // message instead of failing requests later.
        var calendar = BankHolidayFile.Load(options.BankHolidaysFile);
        services.AddSingleton(calendar);
        services.AddSingleton<DeadlineCalculator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(ConnectionTuning.Apply(connectionString)));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<StaffStore>();
        return services;
    }

    /// <summary>
    /// A throwaway random key for stored personal data, for hosts that read no stored mail and must not write a
    /// development key file (the test worker and harnesses, benchmarks, offline commands).
    /// </summary>
    public static KeyValuePair<string, string?> ThrowawayEncryptionKey() =>
        new("Intake:Storage:EncryptionKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

    /// <summary>
    /// A command's settings, in serve's order of precedence: appsettings.json, then the environment (<c>Section__Key</c>),
    /// then the command line's <c>--Section:Key=value</c> (<paramref name="commandLineSettings"/>).
    /// </summary>
    public static IConfiguration CommandConfiguration(IEnumerable<KeyValuePair<string, string?>> commandLineSettings) => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddInMemoryCollection(commandLineSettings)
        .Build();
}
