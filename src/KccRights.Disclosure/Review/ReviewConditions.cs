using KccRights.Workflows.Runtime;

namespace KccRights.Disclosure.Review;

/// <summary>
/// <c>review-complete</c>: every collated item inside the agreed scope has a decision (disclose, redact or withhold), so
/// nothing the subject is entitled to is left out unseen (UK GDPR Art 15(1), (3)) and nothing goes out unreviewed.
/// </summary>
public sealed class ReviewCompleteCondition(ReviewGate gate) : IWorkflowCondition
{
    public const string ConditionName = "review-complete";

    public string Name => ConditionName;

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await gate.UndecidedAsync(context.Transaction.Connection!, context.Transaction, context.CaseId, cancellationToken) == 0;
    }
}

/// <summary>
/// <c>redactions-accepted</c>: the second officer accepted every redaction and every withheld item (four eyes, issue 13
/// Build 3); until then the check can only be returned.
/// </summary>
public sealed class RedactionsAcceptedCondition : IWorkflowCondition
{
    public const string ConditionName = "redactions-accepted";

    public string Name => ConditionName;

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await ReviewStore.NotAcceptedAsync(context.Transaction.Connection!, context.Transaction, context.CaseId, cancellationToken) == 0;
    }
}
