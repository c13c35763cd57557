using KccRights.Cases;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using Npgsql;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// The case page's "Records found" section (issue 11): the matcher's candidates with the officer's decisions, the agreed
/// scope, and each system's collation progress. Rendered by <c>_Collation.cshtml</c> on the case page and on its own at
/// <c>/cases/{reference}/collation</c>, which the page's script fetches every few seconds while collation runs.
/// </summary>
public sealed record CollationSection(
    string Reference,
    IReadOnlyList<CaseCandidate> Candidates,
    int Undecided,
    IReadOnlyList<string> NotSearched,
    CollationScope? Scope,
    IReadOnlyList<CollationProgress> Progress,
    CaseTask? ConfirmationTask,
    bool MayDecide,
    bool Refreshing,
    IReadOnlyDictionary<string, string> SystemNames)
{
    /// <summary>The states from which an access case shows the section (the search has started, or was done).</summary>
    private static readonly HashSet<string> SearchStates = new(StringComparer.Ordinal) { "identity-search", "identity-confirmation", "collection-start", "collation" };

    public string NameOf(string system) => SystemNames.TryGetValue(system, out var name) && name.Length > 0 ? name : system;

    /// <summary>The case's section, or null when the case is not an access case that reached the identity search.</summary>
    public static async Task<CollationSection?> LoadAsync(
        CaseSummary found,
        IReadOnlyList<CaseTask> tasks,
        Actor actor,
        CandidateStore candidateStore,
        CollationStore collationStore,
        SourceConnectors connectors,
        NpgsqlDataSource dataSource,
        CancellationToken cancellationToken)
    {
        if (found.WorkflowId != "access")
        {
            return null;
        }

        var candidates = await candidateStore.ListAsync(found.Id, cancellationToken);
        var progress = await collationStore.ProgressAsync(found.Id, cancellationToken);
        CollationScope? scope;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            scope = await CollationFlow.ScopeAsync(connection, null, found.Id, cancellationToken);
        }

        var state = found.WorkflowState ?? "";
        if (candidates.Count == 0 && progress.Count == 0 && scope is null && !SearchStates.Contains(state))
        {
            return null;
        }

        var confirmation = tasks.FirstOrDefault(t => t.Type == CollationTaskTypes.ConfirmIdentities && t.Status == "open");
        var undecided = candidates.Count(c => c.Band is "match" or "review" && c.Decision is null);

        // Before collection starts, a failed system is one the matcher could not search: it becomes a manual search.
        var notSearched = scope is null ? progress.Where(p => p.Status == "failed").Select(p => p.System).ToList() : [];
        // While collection starts (the fan-out job has not run yet) and while any system is queued or running.
        var refreshing = found.Status == "open"
            && (progress.Any(p => p.Status is "queued" or "running") || state == "collection-start" || (state == "collation" && scope is null));
        return new CollationSection(
            found.Reference,
            candidates,
            undecided,
            notSearched,
            scope,
            scope is null ? [] : progress,
            confirmation,
            confirmation is not null && actor.MayChangeCases && found.Status == "open",
            refreshing,
            connectors.Options.Systems.ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal));
    }

    /// <summary>A system's progress in words (no personal data: the last error names the system and the failure only).</summary>
    public static (string Text, string Tag) Describe(CollationProgress progress, PeopleNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var by = (names ?? PeopleNames.None).Of(progress.SearchedBy);
        return progress.Status switch
        {
            "queued" => ("Queued", "govuk-tag--grey"),
            "running" => ("Running", "govuk-tag--blue"),
            "done" => ($"Done: {Items(progress.Items)}", "govuk-tag--green"),
            "failed" when progress.ManualTaskId is not null => ("Failed: manual search open", "govuk-tag--red"),
            "failed" => ("Failed", "govuk-tag--red"),
            "manual" => ("Manual search open", "govuk-tag--orange"),
            "searched" when progress.LastError?.Contains("nothing held", StringComparison.Ordinal) == true => ($"Searched by hand by {by}: nothing held", "govuk-tag--green"),
            "searched" => ($"Searched by hand by {by}: {Items(progress.Items)}", "govuk-tag--green"),
            _ => (progress.Status, "govuk-tag--grey"),
        };
    }

    private static string Items(int n) => n == 1 ? "1 item" : $"{n} items";
}
