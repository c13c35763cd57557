using KccRights.Intake.Classification;

namespace KccRights.Intake.Triage;

/// <summary>
/// Why a message is in the triage inbox, as codes intake stores with the item (<c>intake_triage.reason_codes</c>,
/// migration 0106) and words the inbox shows the officer (issue 14 item 1): another language, a doubtful kind, a
/// reference that matches no case, a delivery failure, an automatic reply, a damaged message.
/// </summary>
public static class TriageReasons
{
    public const string Language = "language";
    public const string DoubtfulKind = "doubtful-kind";
    public const string UnknownReference = "unknown-reference";
    public const string Bounce = "bounce";
    public const string AutoReply = "auto-reply";
    public const string Damaged = "damaged";

    /// <summary>Every code, in the order the page lists them.</summary>
    public static readonly IReadOnlyList<string> All = [UnknownReference, Bounce, AutoReply, Language, DoubtfulKind, Damaged];

    /// <summary>A code in an officer's words: what the message is and what to do.</summary>
    public static string Label(string code) => code switch
    {
        Language => "Written in another language: check what is asked and arrange a translation",
        DoubtfulKind => "Not clearly a request: decide what it is",
        UnknownReference => "A reply or reference that matches no case: search for its case",
        Bounce => "A delivery failure: something we sent did not arrive",
        AutoReply => "An automatic reply (out of office) that matches no case",
        Damaged => "Damaged: parts of the message could not be read",
        _ => code,
    };

    /// <summary>
    /// The codes of a message intake sends to triage. <paramref name="matchesNoCase"/>: it answers us, or quotes a case
    /// reference, and no case was found for it.
    /// </summary>
    public static IReadOnlyList<string> Of(ClassificationResult result, bool matchesNoCase)
    {
        ArgumentNullException.ThrowIfNull(result);
        var codes = new List<string>();
        switch (result.Kind)
        {
            case MessageKind.Bounce:
                codes.Add(Bounce);
                break;
            case MessageKind.AutoReply:
                codes.Add(AutoReply);
                break;
            default:
                if (matchesNoCase)
                {
                    codes.Add(UnknownReference);
                }

                if (result.Language is not ("en" or "und" or ""))
                {
                    codes.Add(Language);
                }

                if (result.ParseProblems.Count > 0)
                {
                    codes.Add(Damaged);
                }

                // Not a request, or a request or reply intake doubted (low confidence) with nothing else to explain it.
                if (result.Kind == MessageKind.Other || (codes.Count == 0 && !result.OverBudget))
                {
                    codes.Add(DoubtfulKind);
                }

                break;
        }

        return All.Where(codes.Contains).ToList();
    }

    /// <summary>
    /// The codes of an item stored before intake recorded them (or inserted by hand): read from its reasons' sentences,
    /// as intake words them, and from the kind intake gave its message.
    /// </summary>
    public static IReadOnlyList<string> FromSentences(IEnumerable<string> reasons, string? messageKind)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        if (messageKind is "bounce")
        {
            codes.Add(Bounce);
        }
        else if (messageKind is "auto-reply")
        {
            codes.Add(AutoReply);
        }

        foreach (var reason in reasons)
        {
            if (reason.Contains("matches no case", StringComparison.OrdinalIgnoreCase))
            {
                codes.Add(UnknownReference);
            }

            if (reason.Contains("written in another language", StringComparison.OrdinalIgnoreCase))
            {
                codes.Add(Language);
            }

            if (reason.Contains("the message is damaged", StringComparison.OrdinalIgnoreCase))
            {
                codes.Add(Damaged);
            }

            if (reason.StartsWith("low confidence", StringComparison.OrdinalIgnoreCase)
                || reason.Contains("not clearly tied", StringComparison.OrdinalIgnoreCase)
                || reason.Contains("no data-protection right recognised", StringComparison.OrdinalIgnoreCase)
                || reason.StartsWith("not a request", StringComparison.OrdinalIgnoreCase))
            {
                codes.Add(DoubtfulKind);
            }
        }

        return All.Where(codes.Contains).ToList();
    }
}
