using KccRights.Cases;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Intake.Storage;

/// <summary>
/// At start, seals case_requests details and parties stored in plain text before migrations 0082 and 0083 (the
/// migrations cannot: the key is the service's, not the database's), then indexes for the case search the rows whose
/// blind-index tokens were not made with the current key (before migration 0103, or after a key rotation; ADR 0007).
/// Finds nothing to do once done.
/// </summary>
public sealed partial class SealPlaintextAtStart(NpgsqlDataSource dataSource, MessageCipher cipher, ILogger<SealPlaintextAtStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var count = await CaseRequestDetails.SealPlaintextRowsAsync(dataSource, cipher, cancellationToken)
            + await CaseRequestParties.SealPlaintextRowsAsync(dataSource, cipher, cancellationToken);
        if (count > 0)
        {
            Log.Sealed(logger, count);
        }

        var unreadable = new List<long>();
        var indexed = await new CaseSearchIndex(cipher).IndexStaleRowsAsync(dataSource, cipher, unreadable, cancellationToken);
        if (indexed > 0)
        {
            Log.Indexed(logger, indexed);
        }

        if (unreadable.Count > 0)
        {
            // Ids only: a case sealed with a key this service does not hold cannot be searched until the key is configured.
            Log.Unreadable(logger, unreadable.Count, string.Join(',', unreadable.Take(50)));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(4801, LogLevel.Information, "Sealed the personal data of {Count} case request values stored in plain text")]
        public static partial void Sealed(ILogger logger, int count);

        [LoggerMessage(4802, LogLevel.Information, "Indexed {Count} cases for the case search")]
        public static partial void Indexed(ILogger logger, int count);

        [LoggerMessage(4803, LogLevel.Warning, "{Count} cases could not be indexed for the case search: sealed with a key that is not configured (case ids {CaseIds})")]
        public static partial void Unreadable(ILogger logger, int count, string caseIds);
    }
}
