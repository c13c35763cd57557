using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// The writes of one workflow step, sent to PostgreSQL as one batch (one round trip) inside the step's transaction.
/// Parameters are positional ($1, $2...) and always passed as values, never spliced into the SQL.
/// </summary>
internal sealed class StepBatch(NpgsqlTransaction transaction)
{
    public const string Channel = "kcc_jobs";

    private readonly List<NpgsqlBatchCommand> _commands = [];

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>Set when a job was enqueued: workers are woken (NOTIFY is delivered when the transaction commits).</summary>
    public bool NotifyWorkers { get; set; }

    public void Add(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value switch
            {
                null => DBNull.Value,
                DateTimeOffset instant => instant.ToUniversalTime(),
                _ => value,
            } });
        }

        _commands.Add(command);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (NotifyWorkers)
        {
            _commands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{Channel}', '')"));
            NotifyWorkers = false;
        }

        if (_commands.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(Transaction.Connection, Transaction);
        foreach (var command in _commands)
        {
            batch.BatchCommands.Add(command);
        }

        _commands.Clear();
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
