using KccRights.Collation;
using KccRights.Host.Composition;
using KccRights.Host.Extensions;
using KccRights.Host.Web;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Database;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights serve [--demo]</c>: the web app, API and background work. With no connection string it starts its own
/// PostgreSQL in the data directory and stops it on shutdown. <c>--demo</c> seeds the demonstration users, and into an
/// empty database demonstration cases opened from example emails through intake.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var demo = args.Contains("--demo");
        var hostArgs = args.Where(a => a != "--demo").ToArray();
        // Settings, templates and web assets live beside the executable, wherever it is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = hostArgs,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        using var bootLoggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        await using var database = await DatabaseBootstrap.StartAsync(builder.Configuration, bootLoggers);
        // The one wiring (docs/architecture.md), then what only serve runs: the workers, the web app, the checks.
        builder.AddKccRights(database.ConnectionString);
        builder.Services.AddWorkflowHosting();
        builder.Services.AddCollationHosting();
        builder.Services.AddHostedService<CalendarCheckService>();
        KccRights.Cases.Retention.RetentionRegistration.AddRetentionSweep(builder.Services);
        builder.AddStaffWebApp();
        if (demo)
        {
            builder.Services.AddHostedService<KccRights.Cases.DemoCases>();

            // The demonstration cases, opened from example emails through intake (issue 14 item 6). Demo:Requests=false
            // leaves them out (the mail tests, which count every message the service stores).
            if (builder.Configuration.GetValue("Demo:Requests", defaultValue: true))
            {
                builder.Services.AddHostedService<KccRights.Intake.Demo.DemoRequests>();
            }
        }

        await using var app = builder.Build();

        // Issue 3: the service refuses to start on any workflow definition error (each printed with file and JSON path).
        if (!WorkflowExtensions.CheckDefinitions(app.Services, Console.Error))
        {
            return CommandLine.Failed;
        }

        // Issue 11 item 2: the register of processing parses, holds together, and describes every collated dataset.
        if (!RegisterCheck.Check(app.Services, Console.Error))
        {
            return CommandLine.Failed;
        }

        app.UseStaffWebApp();
        app.MapHealth();
        await app.RunAsync();
        return CommandLine.Ok;
    }
}
