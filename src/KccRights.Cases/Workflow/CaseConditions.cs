using KccRights.Domain.Deadlines;
using KccRights.Workflows.Runtime;

namespace KccRights.Cases;

/// <summary>
/// UK GDPR Art 12(3): a case can be extended once, and only while the requester can still be told within the first
/// month (today is on or before the notice date).
/// </summary>
public sealed class ExtensionAllowedCondition(ICaseClock clock) : IWorkflowCondition
{
    public string Name => "extension-allowed";

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var dates = await clock.DatesAsync(context.Transaction, context.CaseId, cancellationToken);
        return dates is { IsOpen: true, Extended: false } && LondonTime.Today(context.Time) <= dates.NoticeBy;
    }
}

/// <summary>The case has not been extended (the extension-notice reminder is pointless once it has).</summary>
public sealed class NotExtendedCondition(ICaseClock clock) : IWorkflowCondition
{
    public string Name => "not-extended";

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var dates = await clock.DatesAsync(context.Transaction, context.CaseId, cancellationToken);
        return dates is { Extended: false };
    }
}

/// <summary>The conditions the definitions in workflows/ name that read only the instance's data and task outcomes.</summary>
public static class CaseConditions
{
    public static IReadOnlyList<IWorkflowCondition> DataConditions { get; } =
    [
        // Art 12(6): ask for ID only where there is reasonable doubt (the triage form records the officer's view).
        new DataFlagCondition("identity-in-doubt", "identityInDoubt"),

        // Art 12A(5): clarification is asked only where the council needs to know what the request covers.
        new DataFlagCondition("clarification-needed", "clarificationNeeded"),

        // Art 12(5): manifestly unfounded or excessive requests may be refused; the DPO decides.
        new DataFlagCondition("manifestly-unfounded-or-excessive", "manifestlyUnfoundedOrExcessive"),

        // Art 18(3): a restriction is in place (the record owner flagged it), so the requester must be told before it is lifted.
        new OutcomeCondition("restriction-applied", "restriction-assessment", "restrict"),

        // Art 20: public-task data is not portable; the response offers access instead and the case waits for the answer.
        new OutcomeCondition("access-offered", "portability-assessment", "not-applicable"),

        // Art 21(1): the objection was not upheld, so the restriction applied meanwhile (Art 18(1)(d)) is lifted, with notice (Art 18(3)).
        new OutcomeCondition("objection-not-upheld", "objection-assessment", "compelling-grounds", "not-applicable"),
    ];
}
