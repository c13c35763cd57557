namespace KccRights.Cases.Retention;

/// <summary>
/// Retention (UK GDPR Art 5(1)(e), storage limitation; issue 13 Build 7): each module that keeps a case's personal data
/// (items, attachments, PDFs, stored mail, letters) implements this for its own tables and files, and the retention job
/// calls every one inside the case's purge. Must be idempotent: a purge interrupted and run again finishes the job.
/// </summary>
public interface ICaseDataPurger
{
    /// <summary>A short name for logs and the purge record (e.g. "collation").</summary>
    string Name { get; }

    /// <summary>Deletes (or overwrites) every byte of the case's personal data this module holds; returns rows or files removed.</summary>
    Task<int> PurgeAsync(Npgsql.NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken);
}
