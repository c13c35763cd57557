using Npgsql;
using NpgsqlTypes;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// The writes of one workflow step, sent to PostgreSQL as one batch (one round trip) inside the step's transaction.
/// Parameters are positional ($1, $2...) and always passed as values, never spliced into the SQL. A parameter that may
/// be null is passed through <see cref="Text"/>, <see cref="Bigint"/> and the like: a bare null has no type, and a
/// statement whose parameter types change from one call to the next is executed unprepared (parsed and planned again)
/// by Npgsql's automatic preparation.
/// </summary>
internal sealed class StepBatch(NpgsqlTransaction transaction)
{
    public const string Channel = "kcc_jobs";

    private readonly List<NpgsqlBatchCommand> _commands = [];

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>The instance a transition moved, and its row after the step (null when the step ended it).</summary>
    public (long InstanceId, WorkflowEngine.InstanceRow? Row)? Stepped { get; set; }

    /// <summary>Set when a job was enqueued: workers are woken (NOTIFY is delivered when the transaction commits).</summary>
    public bool NotifyWorkers { get; set; }

    /// <summary>An optimistic step's instance check is in the batch, not yet sent (sending the batch clears it).</summary>
    public bool Unverified { get; set; }

    /// <summary>Jobs enqueued in this batch that are due within a poll interval.</summary>
    public int DueJobs { get; set; }

    /// <summary>
    /// Set by a worker whose running job is the activity of the state being left: that state entry has no other
    /// activity, so only its timers need cancelling.
    /// </summary>
    public bool LeavingByOwnActivity { get; set; }

    public void Add(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                TypedNull typed => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = typed.Type },
                NpgsqlParameter given => given,
                null => new NpgsqlParameter { Value = DBNull.Value },
                DateTimeOffset instant => new NpgsqlParameter { Value = instant.ToUniversalTime() },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        _commands.Add(command);
    }

    /// <summary>
    /// The committing transaction's id, asked for just before COMMIT: it is the xmin of the instance row the step wrote,
    /// which the engine remembers so this process's next step on the instance can start from that row.
    /// </summary>
    public static NpgsqlBatchCommand XidQuery() => new("SELECT xid(pg_current_xact_id()) AS step_xid");

    /// <summary>Whether the reader's current result is the <see cref="XidQuery"/>'s (told apart from others by its column).</summary>
    public static bool IsXidResult(NpgsqlDataReader reader) => reader.FieldCount == 1 && reader.GetName(0) == "step_xid";

    public static object Text(string? value) => (object?)value ?? TypedNull.OfText;

    public static object Bigint(long? value) => value is { } v ? v : TypedNull.OfBigint;

    public static object Integer(int? value) => value is { } v ? v : TypedNull.OfInteger;

    public static object Date(DateOnly? value) => value is { } v ? v : TypedNull.OfDate;

    public static object Instant(DateTimeOffset? value) => value is { } v ? v : TypedNull.OfInstant;

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await using var batch = Take();
        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The writes so far (and the NOTIFY, if a job was enqueued) as one NpgsqlBatch, for a caller that adds its own commands to the same round trip.</summary>
    public NpgsqlBatch Take()
    {
        Unverified = false;
        if (NotifyWorkers)
        {
            _commands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{Channel}', '')"));
            NotifyWorkers = false;
        }

        var batch = new NpgsqlBatch(Transaction.Connection, Transaction);
        foreach (var command in _commands)
        {
            batch.BatchCommands.Add(command);
        }

        _commands.Clear();
        return batch;
    }

    // Each null carries the type its non-null values are sent as.
    private sealed record TypedNull(NpgsqlDbType Type)
    {
        public static readonly TypedNull OfText = new(NpgsqlDbType.Text);
        public static readonly TypedNull OfBigint = new(NpgsqlDbType.Bigint);
        public static readonly TypedNull OfInteger = new(NpgsqlDbType.Integer);
        public static readonly TypedNull OfDate = new(NpgsqlDbType.Date);
        public static readonly TypedNull OfInstant = new(NpgsqlDbType.TimestampTz);
    }
}
