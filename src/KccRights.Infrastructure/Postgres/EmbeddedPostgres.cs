using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Infrastructure.Postgres;

/// <summary>
/// A private PostgreSQL cluster in a data directory, run with the PostgreSQL binaries installed on the machine
/// (ADR 0003). The first start creates the cluster; later starts reuse it. When several processes share one data
/// directory, the first starts the server and the others connect to it; only the one that started it stops it.
/// The owner's process id is kept in owner.pid beside the cluster: a server whose owner died without stopping it
/// (kill -9, OOM kill) is found at the next start and adopted, so the process that adopts it stops it at its own
/// shutdown instead of leaving it running for ever (issue 9 Build 9). Starts take an exclusive lock on start.lock, so
/// two processes never both adopt or both start.
/// </summary>
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    public const string DatabaseName = "kccrights";

    /// <summary>The login role the running service uses (created by migration 0081); the superuser only migrates.</summary>
    public const string AppRole = "kccrights_app";
    private const string SuperUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly PostgresBinaries _binaries;
    private readonly string _root;
    private readonly ILogger _logger;
    private bool _ownsServer;

    private EmbeddedPostgres(PostgresBinaries binaries, string root, ILogger logger)
    {
        _binaries = binaries;
        _root = root;
        _logger = logger;
    }

    public int Port { get; private set; }

    public string DataDirectory => Path.Combine(_root, "pgdata");

    private string SocketDirectory => Path.Combine(_root, "run");

    private string LogFile => Path.Combine(_root, "postgres.log");

    private string PasswordFile => Path.Combine(_root, "superuser.secret");

    private string AppPasswordFile => Path.Combine(_root, "app.secret");

    private string OwnerFile => Path.Combine(_root, "owner.pid");

    private string StartLockFile => Path.Combine(_root, "start.lock");

    /// <summary>A connection string for <paramref name="database"/> (the service's own database by default).</summary>
    public string ConnectionString(string database = DatabaseName) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = File.ReadAllText(PasswordFile).Trim(),
        Database = database,
    }.ConnectionString;

    /// <summary>A connection string for <paramref name="database"/> as the service's own role, <see cref="AppRole"/>.</summary>
    public string AppConnectionString(string database = DatabaseName) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = AppRole,
        Password = File.ReadAllText(AppPasswordFile).Trim(),
        Database = database,
    }.ConnectionString;

    /// <summary>
    /// Gives <see cref="AppRole"/> its password from the app.secret file beside the superuser's (written on first
    /// use, readable by the service's user only). False when the role does not exist yet (before migration 0081).
    /// </summary>
    public async Task<bool> EnsureAppRoleAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(AppPasswordFile))
        {
            var scratch = AppPasswordFile + ".new";
            await File.WriteAllTextAsync(scratch, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            // Another process sharing the data directory may have written one first: keep theirs.
            try
            {
                File.Move(scratch, AppPasswordFile, overwrite: false);
            }
            catch (IOException) when (File.Exists(AppPasswordFile))
            {
                File.Delete(scratch);
            }
        }

        var password = (await File.ReadAllTextAsync(AppPasswordFile, cancellationToken)).Trim();
        if (password.Length == 0 || !password.All(Uri.IsHexDigit))
        {
            throw new EmbeddedPostgresException($"{AppPasswordFile} does not hold a password written by kccrights");
        }

        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", connection) { Parameters = { new() { Value = AppRole } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            return false;
        }

        // A utility statement takes no parameters; the password is hex, so the literal needs no escaping.
        await using var alter = new NpgsqlCommand($"ALTER ROLE {AppRole} WITH LOGIN PASSWORD '{password}'", connection);
        await alter.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    public static async Task<EmbeddedPostgres> StartAsync(string root, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(logger);
        var binaries = PostgresBinaries.Locate();
        var server = new EmbeddedPostgres(binaries, Path.GetFullPath(root), logger);
        await server.StartAsync(cancellationToken);
        return server;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDirectory);
        await using var startLock = await AcquireStartLockAsync(cancellationToken);
        if (RunsAsRoot)
        {
            // initdb and postgres refuse to run as root: the cluster belongs to the postgres user.
            await RunCheckedAsync("chown", ["-R", "postgres:postgres", _root], "give the data directory to the postgres user", asPostgres: false, cancellationToken);
        }

        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitialiseAsync(cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            if (await RunningPortAsync(cancellationToken) is { } runningPort)
            {
                Port = runningPort;
                if (OwnerIsAlive())
                {
                    Log.Reused(_logger, Port);
                    break;
                }

                // Orphaned: the process that started it is gone. This one takes it over and stops it at its shutdown.
                _ownsServer = true;
                await WriteOwnerAsync(cancellationToken);
                Log.Adopted(_logger, Port);
                break;
            }

            Port = FreeLoopbackPort();
            var options = string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1");
            var result = await RunAsync(_binaries.PgCtl, ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"], asPostgres: RunsAsRoot, cancellationToken);
            if (result.ExitCode == 0)
            {
                _ownsServer = true;
                await WriteOwnerAsync(cancellationToken);
                Log.Started(_logger, Port);
                break;
            }

            // Another process may have started it at the same moment, or the port was taken in between: look again.
            if (attempt == 3)
            {
                throw new EmbeddedPostgresException($"PostgreSQL did not start (see {LogFile}): {result.Describe()}");
            }
        }

        await EnsureDatabaseAsync(cancellationToken);
    }

    private async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        // initdb writes into a scratch directory that is renamed when complete, so a crash part-way leaves nothing to reuse.
        var scratch = DataDirectory + ".init";
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        if (!File.Exists(PasswordFile))
        {
            await File.WriteAllTextAsync(PasswordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            if (RunsAsRoot)
            {
                await RunCheckedAsync("chown", ["postgres:postgres", PasswordFile], "give the password file to the postgres user", asPostgres: false, cancellationToken);
            }
        }

        await RunCheckedAsync(
            _binaries.InitDb,
            ["-D", scratch, "-U", SuperUser, "--auth-local=peer", "--auth-host=scram-sha-256", "--pwfile", PasswordFile, "-E", "UTF8", "--locale=C.UTF-8"],
            "create the PostgreSQL cluster",
            asPostgres: RunsAsRoot,
            cancellationToken);
        Directory.Move(scratch, DataDirectory);
        Log.Initialised(_logger);
    }

    /// <summary>The port of a server already running on this data directory, read from its postmaster.pid.</summary>
    private async Task<int?> RunningPortAsync(CancellationToken cancellationToken)
    {
        var status = await RunAsync(_binaries.PgCtl, ["-D", DataDirectory, "status"], asPostgres: RunsAsRoot, cancellationToken);
        if (status.ExitCode != 0)
        {
            return null;
        }

        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        return lines.Length > 3 && int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = DatabaseName } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // Another process created it first.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ownsServer)
        {
            return;
        }

        _ownsServer = false;
        var result = await RunAsync(_binaries.PgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "stop"], asPostgres: RunsAsRoot, CancellationToken.None);
        if (result.ExitCode == 0)
        {
            File.Delete(OwnerFile);
            Log.Stopped(_logger, Port);
        }
        else
        {
            Log.StopFailed(_logger, result.Describe());
        }
    }

    private static bool RunsAsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>An exclusive lock (flock) on start.lock, held while this process looks for, adopts or starts the server.</summary>
    private async Task<FileStream> AcquireStartLockAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (true)
        {
            try
            {
                return new FileStream(StartLockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>owner.pid: this process's id and start time (so a recycled process id is not taken for the owner).</summary>
    private async Task WriteOwnerAsync(CancellationToken cancellationToken)
    {
        using var self = Process.GetCurrentProcess();
        var scratch = OwnerFile + ".new";
        await File.WriteAllTextAsync(scratch, string.Create(CultureInfo.InvariantCulture, $"{self.Id} {self.StartTime.ToUniversalTime().Ticks}"), cancellationToken);
        File.Move(scratch, OwnerFile, overwrite: true);
    }

    /// <summary>Whether the process named in owner.pid is still running (the same process, not a later one with its id).</summary>
    private bool OwnerIsAlive()
    {
        if (!File.Exists(OwnerFile))
        {
            return false;
        }

        var parts = File.ReadAllText(OwnerFile).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var startTicks))
        {
            return false;
        }

        try
        {
            using var owner = Process.GetProcessById(pid);
            return !owner.HasExited && Math.Abs(owner.StartTime.ToUniversalTime().Ticks - startTicks) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunCheckedAsync(string program, IReadOnlyList<string> arguments, string what, bool asPostgres, CancellationToken cancellationToken)
    {
        var result = await RunAsync(program, arguments, asPostgres, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"Could not {what}: {result.Describe()}");
        }
    }

    private static Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken) =>
        asPostgres
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], CommandTimeout, cancellationToken)
            : ProcessRunner.RunAsync(program, arguments, CommandTimeout, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created the embedded PostgreSQL cluster")]
        public static partial void Initialised(ILogger logger);

        [LoggerMessage(2, LogLevel.Information, "Started the embedded PostgreSQL on 127.0.0.1:{Port}")]
        public static partial void Started(ILogger logger, int port);

        [LoggerMessage(3, LogLevel.Information, "Using the embedded PostgreSQL already running on 127.0.0.1:{Port}")]
        public static partial void Reused(ILogger logger, int port);

        [LoggerMessage(4, LogLevel.Information, "Stopped the embedded PostgreSQL on 127.0.0.1:{Port}")]
        public static partial void Stopped(ILogger logger, int port);

        [LoggerMessage(6, LogLevel.Warning, "Took over the embedded PostgreSQL on 127.0.0.1:{Port}, left running by a service that did not stop it; it is stopped at this one's shutdown")]
        public static partial void Adopted(ILogger logger, int port);

        [LoggerMessage(5, LogLevel.Warning, "The embedded PostgreSQL did not stop cleanly: {Reason}")]
        public static partial void StopFailed(ILogger logger, string reason);
    }
}

public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException()
    {
    }

    public EmbeddedPostgresException(string message)
        : base(message)
    {
    }

    public EmbeddedPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Where the PostgreSQL server programs are: KCC_PG_BIN, then PATH, then Debian's /usr/lib/postgresql/N/bin.</summary>
internal sealed record PostgresBinaries(string InitDb, string PgCtl)
{
    public const string InstallHint =
        "PostgreSQL server programs (initdb, pg_ctl) were not found in KCC_PG_BIN, on PATH or in /usr/lib/postgresql/*/bin. " +
        "Install them (Debian: apt-get install postgresql postgresql-contrib), or set ConnectionStrings__Database to use an existing server.";

    public static PostgresBinaries Locate() => Locate(CandidateDirectories());

    internal static PostgresBinaries Locate(IEnumerable<string> candidates)
    {
        foreach (var directory in candidates)
        {
            var initdb = Path.Combine(directory, "initdb");
            var pgctl = Path.Combine(directory, "pg_ctl");
            if (File.Exists(initdb) && File.Exists(pgctl))
            {
                return new PostgresBinaries(initdb, pgctl);
            }
        }

        throw new EmbeddedPostgresException(InstallHint);
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        if (Environment.GetEnvironmentVariable("KCC_PG_BIN") is { Length: > 0 } configured)
        {
            yield return configured;
        }

        foreach (var entry in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return entry;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            foreach (var version in Directory.GetDirectories(debianRoot)
                         .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : 0))
                         .OrderByDescending(x => x.Version))
            {
                yield return Path.Combine(version.Dir, "bin");
            }
        }
    }
}
