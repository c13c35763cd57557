using KccRights.Cases.Retention;

namespace KccRights.Disclosure.Response;

/// <summary>Retention (UK GDPR Art 5(1)(e); issue 13 Build 7): deletes every rendered response PDF, redaction log and failed render of the case.</summary>
public sealed class ResponsePurger : ICaseDataPurger
{
    public string Name => "disclosure-responses";

    public Task<int> PurgeAsync(Npgsql.NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return ResponseStore.DeleteAsync(transaction, caseId, cancellationToken);
    }
}
