namespace KccRights.Intake.Classification;

/// <summary>Settings for understanding messages (configuration section <c>Intake:Classification</c>).</summary>
public sealed class ClassifierOptions
{
    public const string Section = "Intake:Classification";

    /// <summary>Below this confidence a request goes to an officer to check.</summary>
    public double TriageThreshold { get; set; } = 0.6;

    /// <summary>A right is taken as asked for at or above this confidence.</summary>
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
    public int MaxTextChars { get; set; } = DefaultMaxTextChars;

    /// <summary>An HTML body is converted to text only up to this many characters (a 10 MB body once took 91 s and 700 MB).</summary>
    public int MaxHtmlChars { get; set; } = DefaultMaxHtmlChars;

    /// <summary>A message whose classification takes longer than this goes to an officer with the reason.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(10);
}
