namespace KccRights.Intake.Classification;

/// <summary>How much of a message is read (issue 9, item 1): beyond these the first part is read and the message flagged.</summary>
public sealed record ContentLimits(int MaxTextChars, int MaxHtmlChars)
{
    public static ContentLimits Default { get; } = new(ClassifierOptions.DefaultMaxTextChars, ClassifierOptions.DefaultMaxHtmlChars);
}
