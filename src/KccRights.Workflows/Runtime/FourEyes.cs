using Dapper;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Four eyes (PRODUCT.md 8, issue 9 item 5): the preparer cannot approve their own work, nor the DPO who asked for an
/// extension approve it. A task's <c>not_by_same_actor_as</c> names a task type (whoever completed the latest one) or
/// an event that led to it (whoever raised it last), or several, comma-separated (the definition's list form, e.g. the
/// response's sign-off: neither its preparer nor the redactions' checker, issue 13 Build 5); the definitions are
/// validated to use task types or events. The runtime refuses the completion with this reason, and the pages ask the
/// same question first, so the form is not offered to whoever it would refuse and the reason is said in words
/// (issue 14 item 3).
/// </summary>
public static class FourEyes
{
    /// <summary>The column's value for a definition's names: null for none, else the names comma-separated (names never hold a comma).</summary>
    public static string? Column(IReadOnlyList<string>? names) => names is { Count: > 0 } ? string.Join(',', names) : null;

    /// <summary>Why <paramref name="actor"/> may not complete the task, in words; null when they may.</summary>
    public static async Task<string?> RefusalAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long taskId, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            """
            SELECT o.name AS other,
                   p.completed_by AS preparer, p.title AS prepared_title,
                   (SELECT actor FROM workflow_log
                    WHERE case_id = t.case_id AND instance_id = t.instance_id AND kind = 'transition' AND event = o.name
                    ORDER BY id DESC LIMIT 1) AS raiser
            FROM workflow_tasks t
            CROSS JOIN LATERAL unnest(string_to_array(t.not_by_same_actor_as, ',')) WITH ORDINALITY AS o(name, position)
            LEFT JOIN LATERAL (SELECT completed_by, title FROM workflow_tasks
                               WHERE instance_id = t.instance_id AND type = o.name AND status = 'completed'
                               ORDER BY completed_at DESC, id DESC LIMIT 1) p ON true
            WHERE t.id = @taskId AND t.not_by_same_actor_as IS NOT NULL
            ORDER BY o.position
            """,
            new { taskId },
            transaction,
            cancellationToken: cancellationToken));
        foreach (var row in rows)
        {
            if (string.Equals(row.Preparer, actor, StringComparison.OrdinalIgnoreCase))
            {
                return $"You did the earlier task \u201c{row.PreparedTitle}\u201d on this case, so someone else must do this one: nobody checks or signs off their own work (four eyes).";
            }

            if (string.Equals(row.Raiser, actor, StringComparison.OrdinalIgnoreCase))
            {
                return $"You made the request this decides (\u201c{WorkflowLabels.Event(row.Other)}\u201d), so someone else must decide it: nobody approves their own request (four eyes).";
            }
        }

        return null;
    }
    /// <inheritdoc cref="RefusalAsync(NpgsqlConnection, NpgsqlTransaction?, long, string, CancellationToken)"/>
    public static Task<string?> RefusalAsync(NpgsqlTransaction transaction, long taskId, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return RefusalAsync(transaction.Connection!, transaction, taskId, actor, cancellationToken);
    }

    private sealed record Row
    {
        public string? Other { get; init; }

        public string? Preparer { get; init; }

        public string? PreparedTitle { get; init; }

        public string? Raiser { get; init; }
    }
}
