using System.Text.Json;
using Npgsql;

namespace KccRights.Cases;

/// <summary>
/// A module to the right of Cases (ADR 0005) that checks or records something when staff complete a task, whichever
/// page or route they use (issue 13 Build 5: the response's sign-off approves the rendered version in the same
/// transaction). Registered with DI; <see cref="CaseActions"/> calls every one.
/// </summary>
public interface ITaskCompletionHook
{
    /// <summary>Why this completion is refused, in words (said to the person); null to allow it. Runs before the transaction.</summary>
    Task<string?> RefusalAsync(CaseTask task, string outcome, JsonElement data, Actor actor, CancellationToken cancellationToken);

    /// <summary>Runs in the completing transaction, after the runtime completed the task and before COMMIT; throwing keeps the task open.</summary>
    Task CompletedAsync(NpgsqlTransaction transaction, CaseTask task, string outcome, JsonElement data, Actor actor, CancellationToken cancellationToken);
}
