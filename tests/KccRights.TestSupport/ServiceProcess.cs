using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KccRights.TestSupport;

/// <summary>
/// <c>kccrights serve</c> running as a real process on a free loopback port with its own data directory (and so its
/// own embedded PostgreSQL), in Development so the demo sign-in exists. Stopped with SIGTERM so it shuts down cleanly.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, string dataDirectory, int port)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseUrl { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServiceProcess> StartAsync(string dataDirectory, bool demo = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var env = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = dataDirectory,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        string[] args = demo ? ["serve", "--demo", "--urls", $"http://127.0.0.1:{port}"] : ["serve", "--urls", $"http://127.0.0.1:{port}"];
        var process = Process.Start(Kccrights.StartInfo(args, env)) ?? throw new InvalidOperationException("kccrights did not start");
        var service = new ServiceProcess(process, dataDirectory, port);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await service.WaitHealthyAsync();
        return service;
    }

    /// <summary>The embedded PostgreSQL's connection string, read from the files the service keeps in its data directory.</summary>
    public string DatabaseConnectionString()
    {
        var pid = File.ReadAllLines(Path.Combine(DataDirectory, "postgres", "pgdata", "postmaster.pid"));
        var password = File.ReadAllText(Path.Combine(DataDirectory, "postgres", "superuser.secret")).Trim();
        return $"Host=127.0.0.1;Port={pid[3]};Username=postgres;Password={password};Database=kccrights;Pooling=false";
    }

    /// <summary>SIGKILL: the process dies at once, mid-work, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"kccrights serve exited with {_process.ExitCode}: {Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "/health"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"kccrights serve was not healthy within 2 minutes: {Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
