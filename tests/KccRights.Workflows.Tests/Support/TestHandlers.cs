using Dapper;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Workflows.Tests.Support;

/// <summary>test-effect: records that it ran, in the job's transaction (so it commits only with the job).</summary>
internal sealed class EffectHandler : IJobHandler
{
    public const string CreateTablesSql =
        """
        CREATE TABLE IF NOT EXISTS test_effects (job_id bigint NOT NULL, attempt int NOT NULL, owner text NOT NULL, at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS test_markers (job_id bigint NOT NULL, attempt int NOT NULL, owner text NOT NULL);
        """;

    public string Kind => "test-effect";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO test_effects (job_id, attempt, owner, at) VALUES (@JobId, @Attempt, 'test', @now)",
            new { context.JobId, context.Attempt, now = context.Time.GetUtcNow() },
            context.Transaction,
            cancellationToken: cancellationToken));
        return null;
    }

    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource)
    {
        // The service's role may not create tables: the owner does, and the default privileges grant them to it.
        await using var connection = new NpgsqlConnection(KccRights.TestSupport.TestPostgres.OwnerConnectionString(dataSource.ConnectionString));
        await connection.OpenAsync();
        await connection.ExecuteAsync(CreateTablesSql);
    }
}

/// <summary>test-fail: throws while <see cref="Failing"/> is set.</summary>
internal sealed class FailingHandler : IJobHandler
{
    public bool Failing { get; set; } = true;

    public string Kind => "test-fail";

    public Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken) =>
        Failing ? throw new InvalidOperationException("the source system is down") : Task.FromResult<string?>(null);
}
