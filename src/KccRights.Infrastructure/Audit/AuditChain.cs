using Npgsql;

namespace KccRights.Infrastructure.Audit;

/// <summary>The result of checking the audit trail's hash chain: intact, or the first link that does not hold.</summary>
public sealed record AuditChainReport(long EventsChecked, long? BrokenAtSeq, long? BrokenAtId, string? Problem)
{
    public bool Intact => Problem is null;
}

/// <summary>
/// Checks the hash chain of <c>audit_events</c> (migration 0080): each row's seq follows the one before, its prev_hash
/// is the previous row's row_hash, its row_hash is the hash of its content now, and the chain's head names the last
/// row. A row edited or deleted around the append-only triggers (by a superuser, or in the files) breaks a link
/// (issue 9 item 8; UK GDPR Art 5(2)).
/// </summary>
public static class AuditChain
{
    private static readonly byte[] Genesis = new byte[32];

    public static async Task<AuditChainReport> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // One snapshot for the rows and the head, so events recorded while this runs do not look like a break.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var expectedPrev = Genesis;
        long expectedSeq = 1;
        long checkedCount = 0;
        long? lastId = null;
        await using (var rows = new NpgsqlCommand(
                         "SELECT a.seq, a.id, a.prev_hash, a.row_hash, audit_event_hash(a.prev_hash, a) FROM audit_events a ORDER BY a.seq",
                         connection,
                         transaction))
        await using (var reader = await rows.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var seq = reader.GetInt64(0);
                var id = reader.GetInt64(1);
                var prev = reader.GetFieldValue<byte[]>(2);
                var stored = reader.GetFieldValue<byte[]>(3);
                var computed = reader.GetFieldValue<byte[]>(4);
                if (seq != expectedSeq)
                {
                    return new AuditChainReport(checkedCount, seq, id, $"event {expectedSeq} is missing (the next is {seq})");
                }

                if (!prev.AsSpan().SequenceEqual(expectedPrev))
                {
                    return new AuditChainReport(checkedCount, seq, id, "its previous hash is not the hash of the event before it");
                }

                if (!stored.AsSpan().SequenceEqual(computed))
                {
                    return new AuditChainReport(checkedCount, seq, id, "its content does not match its hash (changed after it was recorded)");
                }

                expectedPrev = stored;
                expectedSeq++;
                checkedCount++;
                lastId = id;
            }
        }

        await using var head = new NpgsqlCommand("SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1", connection, transaction);
        await using var headReader = await head.ExecuteReaderAsync(cancellationToken);
        if (!await headReader.ReadAsync(cancellationToken))
        {
            return new AuditChainReport(checkedCount, null, null, "the chain's head is missing");
        }

        var lastSeq = headReader.GetInt64(0);
        var lastHash = headReader.GetFieldValue<byte[]>(1);
        if (lastSeq != checkedCount || !lastHash.AsSpan().SequenceEqual(expectedPrev))
        {
            return new AuditChainReport(checkedCount, checkedCount + 1, lastId, $"the chain's head records {lastSeq} events but {checkedCount} are left: the last ones were removed");
        }

        return new AuditChainReport(checkedCount, null, null, null);
    }
}
