using System.Globalization;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;

namespace KccRights.Correspondence.Letters;

/// <summary>What a letter or reminder is about: the case's facts as the sender read them, before any wording.</summary>
public sealed record LetterFacts
{
    public required string Template { get; init; }

    public required string Reference { get; init; }

    public required Right Right { get; init; }

    /// <summary>requester, officer, team or role (the DPO): who reads it, so the wording addresses them.</summary>
    public string RecipientKind { get; init; } = "requester";

    /// <summary>The officer's display name for an officer's reminder (never an id).</summary>
    public string? RecipientName { get; init; }

    public string? RequesterName { get; init; }

    /// <summary>self, child, client or other: who the requester is to the person the request is about.</summary>
    public string? Relationship { get; init; }

    /// <summary>The case's stored clock (its dates are the ones every letter gives).</summary>
    public CaseDates? Dates { get; init; }

    public string? ExtensionReason { get; init; }

    /// <summary>The London date the letter is written.</summary>
    public required DateOnly Today { get; init; }

    /// <summary>The outcome of the right's assessment task (for example <c>exempt</c>), used to choose wording, never shown.</summary>
    public string? Decision { get; init; }

    /// <summary>UK GDPR Art 12(5): the DPO approved refusing the request as manifestly unfounded or excessive.</summary>
    public bool Refused { get; init; }

    /// <summary>The reasons the DPO recorded for the requester on an Art 12(5) refusal.</summary>
    public string? RefusalReasons { get; init; }

    /// <summary>A side task a reminder is about (a manual search): its title and due date.</summary>
    public string? TaskTitle { get; init; }

    public DateOnly? TaskDueOn { get; init; }

    public int? Chaser { get; init; }
}

/// <summary>
/// Turns <see cref="LetterFacts"/> into the values the templates read: dates written out in English from the case's
/// stored clock (never recalculated here, so a letter cannot contradict the case page), the right's title, who the reader
/// is. Ids, slugs and codes are there only to choose wording with (<c>right</c>, <c>decision</c>, <c>recipient_kind</c>,
/// <c>relationship</c>); everything else is fit to print.
/// </summary>
public static class LetterModel
{
    public const string LongDate = "dddd d MMMM yyyy";
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    public static string Date(DateOnly date) => date.ToString(LongDate, English);

    /// <summary>The right as a letter names it ("a request for ...").</summary>
    public static string Title(Right right) => right switch
    {
        Right.Access => "access to personal data",
        Right.Rectification => "rectification (correcting personal data)",
        Right.Erasure => "erasure of personal data",
        Right.Restriction => "restriction of processing",
        Right.Portability => "data portability",
        Right.Objection => "objection to processing",
        Right.AutomatedDecision => "information about, and review of, automated decisions",
        _ => "a complaint about how personal data was handled",
    };

    /// <summary>The right as staff name it in a reminder ("an access request").</summary>
    public static string StaffTitle(Right right) => right switch
    {
        Right.Access => "subject access request",
        Right.Rectification => "rectification request",
        Right.Erasure => "erasure request",
        Right.Restriction => "restriction request",
        Right.Portability => "portability request",
        Right.Objection => "objection",
        Right.AutomatedDecision => "automated decision request",
        _ => "complaint",
    };

    public static Dictionary<string, object?> Build(LetterFacts facts, DeadlineCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(calculator);
        var dates = facts.Dates;
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["template"] = facts.Template,
            ["reference"] = facts.Reference,
            ["right"] = facts.Right.Id(),
            ["right_title"] = Title(facts.Right),
            ["case_kind"] = StaffTitle(facts.Right),
            ["provision"] = facts.Right.Provision(),
            ["recipient_kind"] = facts.RecipientKind,
            ["recipient_name"] = LetterName.Clean(facts.RecipientName),
            ["requester_name"] = LetterName.Clean(facts.RequesterName),
            ["relationship"] = facts.Relationship ?? "self",
            ["sent_on"] = Date(facts.Today),
            ["decision"] = facts.Decision,
            ["refused"] = facts.Refused,
            ["refusal_reasons"] = string.IsNullOrWhiteSpace(facts.RefusalReasons) ? null : facts.RefusalReasons.Trim(),
            ["task_title"] = facts.TaskTitle,
            ["task_due_on"] = facts.TaskDueOn is { } taskDue ? Date(taskDue) : null,
            ["chaser"] = facts.Chaser,
            ["extension_reason"] = string.IsNullOrWhiteSpace(facts.ExtensionReason) ? null : facts.ExtensionReason.Trim(),
        };

        if (dates is null)
        {
            return model;
        }

        model["received_on"] = Date(dates.ReceivedOn);
        model["clock_start"] = Date(dates.ClockStart);
        model["clock_restarted"] = dates.ClockStart != dates.ReceivedOn;

        // The date the council must answer by: the extended one once extended (UK GDPR Art 12(3)).
        model["due_on"] = Date(dates.EffectiveDueOn);
        model["original_due_on"] = Date(dates.DueOn);
        model["notice_by"] = Date(dates.NoticeBy);
        model["extended"] = dates.Extended;
        model["clock_paused"] = dates.IsPaused;
        if (facts.Right == Right.Complaint)
        {
            model["acknowledge_by"] = Date(ComplaintDates.AcknowledgeBy(dates.ReceivedOn, calculator));
        }

        if (dates.WorkingDaysLeft(facts.Today, calculator) is { } left)
        {
            model["working_days_left"] = Math.Max(left, 0);
            model["working_days_overdue"] = Math.Max(-left, 0);
        }

        return model;
    }
}
