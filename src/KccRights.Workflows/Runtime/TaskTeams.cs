using Dapper;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>Routes a record-owner task to a team: the runtime owns workflow_tasks, so modules change a task through here.</summary>
public static class TaskTeams
{
    /// <summary>Sends an open record-owner task to <paramref name="team"/>; false when there is no such open task.</summary>
    public static async Task<bool> SendToTeamAsync(NpgsqlTransaction transaction, long taskId, string team, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(team);
        var updated = await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE workflow_tasks SET team = @team WHERE id = @taskId AND role = 'record-owner' AND status = 'open'",
            new { taskId, team },
            transaction,
            cancellationToken: cancellationToken));
        return updated > 0;
    }
}
