using System.ComponentModel.DataAnnotations;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Cases;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Deadlines;
using Npgsql;

namespace KccRights.Host.Extensions;

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

internal static class DeadlineExtensions
{
    /// <summary>The database, the bank-holiday calendar and the deadline engine, for the web app and the commands alike.</summary>
    public static IServiceCollection AddKccCore(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        DapperSetup.Configure();
        var options = services.AddValidatedOptions<DeadlineOptions>(configuration, DeadlineOptions.Section);

        // Loaded once at start (and checked by the options' validation) so a bad file stops the service with a clear
        // message instead of failing requests later.
        var calendar = BankHolidayFile.Load(options.BankHolidaysFile);
        services.AddSingleton(calendar);
        services.AddSingleton<DeadlineCalculator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(ConnectionTuning.Apply(connectionString)));
        services.AddSingleton<CaseStore>();
        services.AddSingleton<ClockStore>();
        return services;
    }

    public static IConfiguration CommandConfiguration() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}
