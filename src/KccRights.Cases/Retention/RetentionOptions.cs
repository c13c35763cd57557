using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KccRights.Cases.Retention;

/// <summary>
/// How long a closed case is kept (UK GDPR Art 5(1)(e), storage limitation), section <c>Retention</c>, validated at
/// start: <c>AfterClosure</c> is a count of years, months or days (<c>2y</c>, <c>18m</c>, <c>730d</c>; default two
/// years, the council's retention schedule for information-rights cases); <c>SweepInterval</c> how often
/// <c>serve</c> looks for cases to purge.
/// </summary>
public sealed partial class RetentionOptions : IValidatableObject
{
    public const string Section = "Retention";

    public string AfterClosure { get; set; } = "2y";

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>False: <c>serve</c> does not sweep (the <c>kccrights retention run</c> command still purges).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The latest closing instant a case may have to be purged at <paramref name="now"/>.</summary>
    public DateTimeOffset Cutoff(DateTimeOffset now)
    {
        var (count, unit) = Parse(AfterClosure) ?? throw new InvalidOperationException($"{Section}:{nameof(AfterClosure)} is not valid");
        return unit switch
        {
            'y' => now.AddYears(-count),
            'm' => now.AddMonths(-count),
            _ => now.AddDays(-count),
        };
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Parse(AfterClosure) is not { } period)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(AfterClosure)} must be a number of years, months or days, e.g. 2y, 18m or 730d", [nameof(AfterClosure)]);
        }
        else if (period.Count < 1 || (period.Unit == 'y' && period.Count > 100) || (period.Unit == 'm' && period.Count > 1200) || (period.Unit == 'd' && period.Count > 36500))
        {
            yield return new ValidationResult($"{Section}:{nameof(AfterClosure)} must be at least 1 day and at most 100 years", [nameof(AfterClosure)]);
        }

        if (SweepInterval < TimeSpan.FromMinutes(1) || SweepInterval > TimeSpan.FromDays(7))
        {
            yield return new ValidationResult($"{Section}:{nameof(SweepInterval)} must be between 00:01:00 and 7.00:00:00", [nameof(SweepInterval)]);
        }
    }

    private static (int Count, char Unit)? Parse(string? value)
    {
        var match = PeriodPattern().Match(value ?? "");
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? (count, char.ToLowerInvariant(match.Groups[2].Value[0]))
            : null;
    }

    [GeneratedRegex(@"^\s*(\d{1,5})\s*([ymdYMD])\s*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PeriodPattern();
}
