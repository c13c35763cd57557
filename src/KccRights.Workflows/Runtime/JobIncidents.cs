using Dapper;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Opens an incident for a job whose handler gives up by itself on its last attempt (recording a fallback, such as a
/// manual search, instead of throwing): the same incident the runtime opens when a job fails every attempt, in the
/// handler's transaction, so the incident and the fallback are committed together.
/// </summary>
public static class JobIncidents
{
    public static async Task<long?> OpenAsync(JobContext context, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        return await context.Transaction.Connection!.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO incidents (job_id, kind, case_id, instance_id, attempts, error, opened_at)
            VALUES (@JobId, @Kind, @CaseId, @InstanceId, @Attempt, @error, @now)
            ON CONFLICT (job_id) WHERE status = 'open' DO NOTHING
            RETURNING id
            """,
            new { context.JobId, context.Kind, context.CaseId, context.InstanceId, context.Attempt, error = error.Length > 2000 ? error[..2000] : error, now = context.Time.GetUtcNow() },
            context.Transaction,
            cancellationToken: cancellationToken));
    }
}
