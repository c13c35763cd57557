using System.Diagnostics;
using KccRights.TestSupport;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Processes;

/// <summary>The kccrights executable: workflows validate|diagram, and serve refusing to start on a broken definition.</summary>
public class CommandLineTests
{
    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Paths.HostDll)!,
        };
        start.ArgumentList.Add(Paths.HostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    [Test]
    public async Task WorkflowsValidate_ShippedDefinitions_ExitsZero()
    {
        var (exitCode, output, errors) = await RunAsync(null, "workflows", "validate");
        Assert.That(exitCode, Is.Zero, errors);
        Assert.That(output, Does.Contain("8 workflow definitions are valid."));
    }

    [Test]
    public async Task WorkflowsValidate_BrokenDefinition_ExitsNonZeroNamingFileAndPath()
    {
        var directory = Path.Combine(Paths.Fixtures, "unknown-target-state");
        var (exitCode, _, errors) = await RunAsync(null, "workflows", "validate", "--dir", directory);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(errors, Does.Contain($"{Path.Combine(directory, "broken.json")}: $.states[0].transitions[0].to: unknown target state 'nowhere'"));
        });
    }

    [Test]
    public async Task WorkflowsDiagram_PrintsMermaid()
    {
        var (exitCode, output, errors) = await RunAsync(null, "workflows", "diagram", "access");
        Assert.That(exitCode, Is.Zero, errors);
        Assert.That(output, Does.Contain("stateDiagram-v2").And.Contain("triage --> awaiting_id : Triaged (if identity in doubt)"));
    }

    [Test]
    public async Task WorkflowsDiagramSvg_PrintsTheSvgTheWebAppShows()
    {
        var (exitCode, output, errors) = await RunAsync(null, "workflows", "diagram", "access", "--svg");
        Assert.That(exitCode, Is.Zero, errors);
        var svg = System.Xml.Linq.XDocument.Parse(output).Root!;
        Assert.Multiple(() =>
        {
            Assert.That(svg.Name.LocalName, Is.EqualTo("svg"));
            Assert.That(svg.Descendants().Count(e => e.Attribute("data-state") is not null), Is.EqualTo(23));
        });
    }

    [Test]
    public async Task Serve_WithABrokenDefinition_RefusesToStart()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var directory = Path.Combine(Paths.Fixtures, "unknown-activity");
        var (exitCode, _, errors) = await RunAsync(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Database"] = connectionString,
                ["Workflows__Directory"] = directory,
                ["urls"] = "http://127.0.0.1:0",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            },
            "serve");
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(errors, Does.Contain("$.states[1].activity.kind: unknown activity 'send-pigeon'"));
            Assert.That(errors, Does.Contain("refusing to start"));
        });
    }
}
