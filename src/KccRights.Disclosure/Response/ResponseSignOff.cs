using System.Text.Json;
using Dapper;
using KccRights.Cases;
using Npgsql;

namespace KccRights.Disclosure.Response;

/// <summary>
/// The access workflow's response tasks, whichever page completes them (issue 13 Builds 4 and 5): "drafted" only with a
/// version rendered from the review as it stands; the DPO's "approved" only by the role dpo and only of such a version,
/// which it marks approved (who, when) in the completing transaction, so what dispatch sends is exactly what the DPO
/// read; a return names its stage and says why in the comments. The four-eyes rule (neither the preparer nor the
/// checker approves) is the runtime's, from the definition's <c>notBySameActorAs</c>.
/// </summary>
public sealed class ResponseSignOff(NpgsqlDataSource dataSource, ResponseDrafts drafts, TimeProvider time) : ITaskCompletionHook
{
    public const string DraftState = "draft-response";
    public const string SignOffState = "dpo-sign-off";
    public const string Approved = "approved";
    public const string Drafted = "drafted";
    public const string ReturnToDraft = "return-to-draft";
    public const string ReturnToReview = "return-to-review";
    public const string DpoRole = "dpo";

    public async Task<string?> RefusalAsync(CaseTask task, string outcome, JsonElement data, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(actor);
        var state = await AccessStateAsync(task.Id, cancellationToken);
        if (state == DraftState && outcome == Drafted)
        {
            return (await drafts.CurrentAsync(task.CaseId, cancellationToken)).Refusal;
        }

        if (state != SignOffState)
        {
            return null;
        }

        if (outcome == Approved)
        {
            if (!string.Equals(actor.Role, DpoRole, StringComparison.Ordinal))
            {
                return "Only the Data Protection Officer may approve the response.";
            }

            return (await drafts.CurrentAsync(task.CaseId, cancellationToken)).Refusal;
        }

        if (outcome is ReturnToDraft or ReturnToReview
            && !(data.ValueKind == JsonValueKind.Object && data.TryGetProperty("comments", out var comments) && comments.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(comments.GetString())))
        {
            return "Say in the comments what needs to change before returning the response.";
        }

        return null;
    }

    public async Task CompletedAsync(NpgsqlTransaction transaction, CaseTask task, string outcome, JsonElement data, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(actor);
        if (outcome != Approved || await AccessStateAsync(task.Id, cancellationToken) != SignOffState)
        {
            return;
        }

        var (current, refusal) = await drafts.CurrentAsync(task.CaseId, cancellationToken);
        if (current is null || !await ResponseStore.ApproveAsync(transaction, task.CaseId, current.Version, actor.Subject, time.GetUtcNow(), cancellationToken))
        {
            throw new ClockChangeRefusedException(refusal ?? "The response changed while you read it: look at the latest version and approve again.");
        }
    }

    /// <summary>The access workflow's state the task belongs to; null for another workflow's task.</summary>
    public async Task<string?> AccessStateAsync(long taskId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT t.state FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id WHERE t.id = @taskId AND i.definition_id = 'access'",
            new { taskId },
            cancellationToken: cancellationToken));
    }
}
