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
}
