using KccRights.Workflows.Runtime;

namespace KccRights.Collation.Workflow;

/// <summary>
/// <c>identities-decided</c>: every candidate of band match or review has been confirmed or rejected, so nothing that may
/// be the subject's is silently left out (Art 15) and nothing of someone else's goes in unseen.
/// </summary>
public sealed class IdentitiesDecidedCondition : IWorkflowCondition
{
    public string Name => "identities-decided";

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await CandidateStore.UndecidedAsync(context.Transaction, context.CaseId, cancellationToken) == 0;
    }
}
