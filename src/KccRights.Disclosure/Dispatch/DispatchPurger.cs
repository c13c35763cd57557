using Dapper;
using KccRights.Cases.Retention;

namespace KccRights.Disclosure.Dispatch;

/// <summary>
/// Retention (UK GDPR Art 5(1)(e)): a purged case's dispatches go, with the requester's copy, the sealed code and the
/// token's hash. The messages' record (outbound_messages) is Correspondence's to purge.
/// </summary>
public sealed class DispatchPurger : ICaseDataPurger
{
    public string Name => "disclosure-dispatch";

    public async Task<int> PurgeAsync(Npgsql.NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "DELETE FROM disclosure_dispatches WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));
    }
}
