using KccRights.Collation.Matching;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;

namespace KccRights.Collation.Workflow;

/// <summary>
/// <c>find-candidates</c> (the access workflow's <c>identity-search</c> state): searches every source system for the
/// case's subject and stores the candidates for the officer to confirm. A system that cannot be searched is marked
/// failed and collation opens its manual search (never a silent gap).
/// </summary>
public sealed partial class FindCandidatesHandler(PersonMatcher matcher, CandidateStore candidates, IPersonalDataCipher cipher, ILogger<FindCandidatesHandler> logger) : IJobHandler
{
    public const string JobKind = "find-candidates";

    public string Kind => JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a case");
        var now = context.Time.GetUtcNow();
        var (query, problem) = await CaseSubject.ReadAsync(context.Transaction, cipher, caseId, cancellationToken);
        if (query is null)
        {
            await candidates.ReplaceAsync(context.Transaction, caseId, [], now, cancellationToken);
            await WorkflowLog.RecordAsync(context, "candidates-found", new { candidates = 0, problem }, cancellationToken);
            Log.NoQuery(logger, caseId);
            return null;
        }

        // A system that cannot be searched is not retried here (the case would wait on it): it is marked failed, the
        // officer sees it beside the candidates, and collation opens its manual search.
        var result = await matcher.FindAsync(query, cancellationToken);
        var kept = await candidates.ReplaceAsync(context.Transaction, caseId, result.Candidates, now, cancellationToken);
        foreach (var (system, error) in result.FailedSystems.Zip(result.Failures))
        {
            await CollationFlow.SetAsync(context.Transaction, caseId, system, "failed", 0, $"could not be searched for the subject: {error}", now, cancellationToken);
        }

        await WorkflowLog.RecordAsync(
            context,
            "candidates-found",
            new
            {
                candidates = kept,
                match = result.Candidates.Count(c => c.Band == PersonMatcher.Match),
                review = result.Candidates.Count(c => c.Band == PersonMatcher.Review),
                notSearched = result.Failures.Count,
            },
            cancellationToken);
        Log.Found(logger, caseId, kept, result.Failures.Count);
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1130, LogLevel.Information, "Case {CaseId}: {Candidates} candidates kept; {Failed} systems could not be searched")]
        public static partial void Found(ILogger logger, long caseId, int candidates, int failed);

        [LoggerMessage(1131, LogLevel.Warning, "Case {CaseId}: no search for the subject (the full name is not recorded)")]
        public static partial void NoQuery(ILogger logger, long caseId);
    }
}
