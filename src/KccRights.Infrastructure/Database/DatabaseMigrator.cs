using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Infrastructure.Database;

/// <summary>
/// Applies the numbered, append-only migrations embedded in this assembly with DbUp, journaled in
/// <c>public.schemaversions</c>. An advisory lock makes concurrent starts of several service processes safe.
/// </summary>
public static partial class DatabaseMigrator
{
    // An arbitrary constant: the advisory lock all processes take around migration.
    private const long MigrationLockKey = 0x4b43435f4d494752;

    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logger);
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", lockConnection) { Parameters = { new() { Value = MigrationLockKey } } })
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new DbUpLog(logger))
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name ?? "(unknown)"} failed: {result.Error?.Message}", result.Error);
            }

            var applied = result.Scripts.Select(s => s.Name).ToList();
            Log.Applied(logger, applied.Count);
            return applied;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", lockConnection) { Parameters = { new() { Value = MigrationLockKey } } };
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Information, "Database migrations applied: {Count}")]
        public static partial void Applied(ILogger logger, int count);

        [LoggerMessage(11, LogLevel.Debug, "DbUp: {Message}")]
        public static partial void DbUp(ILogger logger, string message);

        [LoggerMessage(12, LogLevel.Error, "DbUp: {Message}")]
        public static partial void DbUpError(ILogger logger, string message);
    }

    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => Log.DbUp(logger, Format(format, args));

        public void LogDebug(string format, params object[] args) => Log.DbUp(logger, Format(format, args));

        public void LogInformation(string format, params object[] args) => Log.DbUp(logger, Format(format, args));

        public void LogWarning(string format, params object[] args) => Log.DbUp(logger, Format(format, args));

        public void LogError(string format, params object[] args) => Log.DbUpError(logger, Format(format, args));

        public void LogError(Exception ex, string format, params object[] args) => Log.DbUpError(logger, Format(format, args) + ": " + ex.Message);

        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
    }
}
