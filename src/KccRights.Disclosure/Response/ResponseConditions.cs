using KccRights.Disclosure.Review;
using KccRights.Workflows.Runtime;

namespace KccRights.Disclosure.Response;

/// <summary>
/// Whether the case's draft is current: its latest rendered version was made from the review as it stands now (the
/// decisions' fingerprint matches), so it is newer than the review's last change. The officer may complete
/// "Draft the response" and the DPO approve only such a version (issue 13 Builds 4 and 5).
/// </summary>
public sealed class ResponseDrafts(ResponseStore store, ResponseDecisions decisions)
{
    /// <summary>The current version, or null with the reason in words.</summary>
    public async Task<(ResponseVersion? Current, string? Refusal)> CurrentAsync(long caseId, CancellationToken cancellationToken)
    {
        var versions = await store.VersionsAsync(caseId, cancellationToken);
        if (versions.Count == 0)
        {
            return (null, "Render the draft response first: no version has been rendered yet.");
        }

        var latest = versions[0];

        var fingerprint = ResponseBundle.Fingerprint(await decisions.DecisionsAsync(caseId, cancellationToken));
        return latest.ReviewFingerprint == fingerprint
            ? (latest, null)
            : (null, $"The review changed after version {latest.Version} was rendered: render the draft again so it shows the review as it stands.");
    }
}

/// <summary>
/// The review's decisions as the response reads them: from the review store (<see cref="IDisclosureDecisions"/>) when
/// the host has one; without it no decision has been recorded, so only a case with no in-scope items can be drafted.
/// </summary>
public sealed class ResponseDecisions(IEnumerable<IDisclosureDecisions> sources) : IDisclosureDecisions
{
    private readonly IDisclosureDecisions? _source = sources.FirstOrDefault();

    public async Task<IReadOnlyList<ItemDecision>> DecisionsAsync(long caseId, CancellationToken cancellationToken) =>
        _source is null ? [] : await _source.DecisionsAsync(caseId, cancellationToken);
}

/// <summary><c>response-current</c>: guards "drafted" and the DPO's "approved" (see <see cref="ResponseDrafts"/>).</summary>
public sealed class ResponseCurrentCondition(ResponseDrafts drafts) : IWorkflowCondition
{
    public const string ConditionName = "response-current";

    public string Name => ConditionName;

    public async ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await drafts.CurrentAsync(context.CaseId, cancellationToken)).Current is not null;
    }
}
