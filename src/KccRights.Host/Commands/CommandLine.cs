using KccRights.Infrastructure.Configuration;

namespace KccRights.Host.Commands;

/// <summary>
/// The kccrights subcommands. Every command reports bad input as one line on stderr and a non-zero exit code, never a
/// stack trace: officers and scripts read these.
/// </summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;

    private const string Usage =
        """
        kccrights: data-protection rights requests for Kent County Council.

        Commands:
          serve [--demo]                 run the web app, API and workers (the default command)
          migrate                        apply database migrations and exit
          deadline --received DATE|INSTANT [--clock-start DATE] [--pause FROM..TO]... [--bank-holidays FILE]
                                         print the statutory dates of one request as JSON
          deadlines recalculate          recalculate every open case's dates after the bank-holiday file changes
          api-token create --user SUBJECT [--label TEXT] [--days N]|list|revoke ID
                                         issue a per-user API token for /api (printed once; expires
                                         after 90 days unless --days), list tokens, revoke one
          workflows validate|diagram ID|schema|versions|migrate ID --from-version H --to-version H [--map OLD=NEW]...
                                         check, draw, list and migrate the workflow definitions in workflows/
          incidents list [--all]|retry ID
                                         jobs that failed every attempt, and retrying one
          classify FILE.eml              print how intake understands one email, as JSON
          bundle --input FILE.json --out FILE.pdf [--log FILE.csv] [--encrypt] | bundle --schema
                                         render a response bundle from JSON (and its redaction log); print the input schema
          audit verify                   check the audit trail's hash chain; prints the first broken link
          keys rotate                    re-encrypt stored mail and personal details under the current key
          demo-data [--scale small|medium|large] [--seed N] [--truth FILE]
                                         create the demo source systems and documents (planted people.tsv)
          match --given G --family F [--previous-family P] [--dob D] [--postcode P] [--upn U]
                                         find a person in every source system; prints candidates as JSON
          retention run [--dry-run]      purge (or list) the cases closed longer ago than Retention:AfterClosure
          help                           show this text

        Every command takes settings as --Section:Key=value (or --Section:Key value), over appsettings.json and the
        environment (Section__Key), e.g. --ConnectionStrings:Database=... or --Storage:DataDirectory=DIR.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length == 0 || args[0].StartsWith('-') ? "serve" : args[0];
        var rest = args.Length == 0 || args[0].StartsWith('-') ? args : args[1..];
        try
        {
            return command switch
            {
                "serve" => await ServeCommand.RunAsync(rest),
                "migrate" => await MigrateCommand.RunAsync(rest),
                "deadline" => DeadlineCommand.Run(rest, Console.Out),
                "deadlines" => await DeadlinesCommand.RunAsync(rest),
                "api-token" => await ApiTokenCommand.RunAsync(rest),
                "workflows" => await WorkflowsCommand.RunAsync(rest),
                "incidents" => await IncidentsCommand.RunAsync(rest),
                "classify" => ClassifyCommand.Run(rest, Console.Out),
                "bundle" => BundleCommand.Run(rest, Console.Out),
                "audit" => await AuditCommand.RunAsync(rest),
                "keys" => await KeysCommand.RunAsync(rest),
                "demo-data" => await DemoDataCommand.RunAsync(rest),
                "match" => await MatchCommand.RunAsync(rest),
                "retention" => await RetentionCommand.RunAsync(rest),
                "help" or "--help" or "-h" => PrintUsage(),
                _ => Fail($"unknown command '{command}'; run 'kccrights help'"),
            };
        }
        catch (CommandLineException ex)
        {
            return Fail(ex.Message);
        }
        catch (Exception ex) when (ValidatedOptions.Failures(ex) is { Count: > 0 } failures)
        {
            // A bad setting found while the service is composed: one line per setting, naming it.
            return ConfigurationFailed(failures, Console.Error);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Start-up problems (no PostgreSQL installed, a bad bank-holiday file, an unreachable database) are for an
            // operator: one clear line. KCC_DEBUG=1 adds the stack trace for a developer.
            if (Environment.GetEnvironmentVariable("KCC_DEBUG") == "1")
            {
                Console.Error.WriteLine(ex);
            }

            return Fail(ex.Message, Failed);
        }
    }

    /// <summary>Options validation failures, one line each: <c>kccrights: configuration: Intake:Mailbox:Port must be ...</c>.</summary>
    public static int ConfigurationFailed(IEnumerable<string> failures, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var failure in failures)
        {
            errors.WriteLine($"kccrights: configuration: {failure.ReplaceLineEndings(" ")}");
        }

        return Failed;
    }

    public static int Fail(string message, int exitCode = BadInput)
    {
        Console.Error.WriteLine($"kccrights: {message.ReplaceLineEndings(" ")}");
        return exitCode;
    }

    private static int PrintUsage()
    {
        Console.Out.WriteLine(Usage);
        return Ok;
    }
}

/// <summary>Bad arguments: the message is printed as one line.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
