using System.Globalization;
using System.Text.Json;
using KccRights.Domain.Deadlines;
using KccRights.Host.Composition;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Deadlines;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights deadline --received 2026-01-31 [--clock-start DATE] [--pause FROM..TO]...</c>: the statutory dates of one
/// request, as one JSON object on one line. Needs no database.
/// </summary>
internal static class DeadlineCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var parsed = new Arguments(args, ["--received", "--clock-start", "--pause", "--bank-holidays"], []);
        if (parsed.Positionals.Count > 0)
        {
            throw new CommandLineException($"unexpected argument '{parsed.Positionals[0]}'");
        }

        var received = ParseReceived(parsed.Required("--received"));
        var clockStart = parsed.Single("--clock-start") is { } start ? ParseDate(start, "--clock-start") : (DateOnly?)null;
        var pauses = parsed.All("--pause").Select(ParsePause).ToList();

        Deadline deadline;
        try
        {
            // --bank-holidays, else the Deadlines:BankHolidaysFile setting serve uses, else the file beside the executable.
            var file = parsed.Single("--bank-holidays")
                ?? KccRightsWiring.CommandConfiguration(parsed.Settings).GetValidated<DeadlineOptions>(DeadlineOptions.Section).BankHolidaysFile;
            var calculator = new DeadlineCalculator(BankHolidayFile.Load(file));
            if (clockStart < received)
            {
                throw new InvalidClockException($"--clock-start {clockStart:yyyy-MM-dd} is before the request was received on {received:yyyy-MM-dd}");
            }

            // The clock start given is the day ID (or a fee) arrived: UK GDPR Art 12(6), the latest of the dates wins.
            deadline = calculator.Calculate(new ClockInput { ReceivedOn = received, IdReceivedOn = clockStart, Pauses = pauses });
        }
        catch (Exception ex) when (ex is BankHolidayDataException or InvalidClockException)
        {
            throw new CommandLineException(ex.Message);
        }

        output.WriteLine(JsonSerializer.Serialize(new
        {
            received = Iso(deadline.Received),
            clockStart = Iso(deadline.ClockStart),
            pausedDays = deadline.PausedDays,
            due = Iso(deadline.Due),
            extensionNoticeBy = Iso(deadline.ExtensionNoticeBy),
            extendedDue = Iso(deadline.ExtendedDue),
        }));
        return CommandLine.Ok;
    }

    /// <summary>A calendar date, or an instant converted to its Europe/London date (LEGAL-RULES.md section 1).</summary>
    internal static DateOnly ParseReceived(string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return LondonTime.DateOf(instant);
        }

        throw new CommandLineException($"--received '{text}' is not a date (YYYY-MM-DD) or an instant with a zone (2026-03-31T23:30:00Z)");
    }

    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new CommandLineException($"{option} '{text}' is not a date (YYYY-MM-DD)");

    private static ClockPause ParsePause(string text)
    {
        var parts = text.Split("..", StringSplitOptions.None);
        if (parts.Length != 2)
        {
            throw new CommandLineException($"--pause '{text}' is not FROM..TO (for example 2026-03-04..2026-03-13)");
        }

        var from = ParseDate(parts[0], "--pause");
        var to = ParseDate(parts[1], "--pause");
        return to < from
            ? throw new CommandLineException($"--pause '{text}' ends before it starts")
            : new ClockPause(from, to);
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
