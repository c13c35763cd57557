using System.ComponentModel.DataAnnotations;

namespace KccRights.Intake.Classification;

/// <summary>Settings for understanding messages (configuration section <c>Intake:Classification</c>). Validated on start.</summary>
public sealed class ClassifierOptions : IValidatableObject
{
    public const string Section = "Intake:Classification";

    /// <summary>Below this confidence a request goes to an officer to check.</summary>
    [Range(0.0, 1.0, ErrorMessage = "{0} must be between {1} and {2}")]
    public double TriageThreshold { get; set; } = 0.6;

    /// <summary>A right is taken as asked for at or above this confidence.</summary>
    [Range(0.0, 1.0, ErrorMessage = "{0} must be between {1} and {2}")]
    public double RightThreshold { get; set; } = 0.45;

    /// <summary>
    /// The council's own domains: a request forwarded by a colleague is the original sender's request, received when
    /// the council first received it (the received date is still the day it reached this mailbox: an officer corrects it).
    /// </summary>
    public IList<string> InternalDomains { get; } = ["kent.gov.uk"];

    public const int DefaultMaxTextChars = 100_000;
    public const int DefaultMaxHtmlChars = 1_000_000;

    /// <summary>
    /// Text beyond this many characters (body, forwarded text, PDF text each) is not classified: the first part is, and the
    /// message goes to an officer with the reason (issue 9, item 1: bounded work per message).
    /// </summary>
    [Range(1_000, 10_000_000, ErrorMessage = "{0} must be between {1} and {2}")]
    public int MaxTextChars { get; set; } = DefaultMaxTextChars;

    /// <summary>An HTML body is converted to text only up to this many characters (a 10 MB body once took 91 s and 700 MB).</summary>
    [Range(1_000, 100_000_000, ErrorMessage = "{0} must be between {1} and {2}")]
    public int MaxHtmlChars { get; set; } = DefaultMaxHtmlChars;

    /// <summary>A message whose classification takes longer than this goes to an officer with the reason.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InternalDomains.Any(d => string.IsNullOrWhiteSpace(d) || d.Contains('@', StringComparison.Ordinal)))
        {
            yield return new ValidationResult($"{Section}:{nameof(InternalDomains)} must be domain names such as kent.gov.uk (no '@', none empty)", [nameof(InternalDomains)]);
        }
    }
}
