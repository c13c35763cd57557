using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KccRights.Workflows.Tests.Support;

/// <summary>A real worker process (KccRights.Workflows.TestWorker): the runtime's job workers against one database.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private WorkerProcess(Process process, string node)
    {
        _process = process;
        Node = node;
    }

    public string Node { get; }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static async Task<WorkerProcess> StartAsync(string connectionString, string node, int workers = 2, double leaseSeconds = 2, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Paths.TestWorkerDll)!,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var arg in new[]
        {
            Paths.TestWorkerDll, "--connection", connectionString, "--node", node, "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--lease-seconds", leaseSeconds.ToString(CultureInfo.InvariantCulture), "--heartbeat-seconds", (leaseSeconds / 4).ToString(CultureInfo.InvariantCulture),
            "--poll-ms", "250",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        var worker = new WorkerProcess(process, node);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (worker._errors)
                {
                    worker._errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "ready")
            {
                _ = DrainAsync(process.StandardOutput);
                return worker;
            }
        }

        throw new InvalidOperationException($"Worker {node} exited before it was ready: {worker.Errors}");
    }

    /// <summary>SIGKILL: no shutdown code runs, open transactions are aborted by PostgreSQL, leases are left to lapse.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (IOException)
        {
            // The process was killed.
        }
    }
}
