using KccRights.Host.Composition;
using KccRights.Infrastructure.Configuration;
using KccRights.Intake.Classification;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights classify &lt;file.eml&gt;</c>: how intake understands one message, as one JSON object on one line.
/// Needs no database or mailbox. A message that cannot be parsed still prints JSON (kind <c>other</c> with a reason).
/// </summary>
internal static class ClassifyCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var parsed = new Arguments(args, [], []);
        if (parsed.Positionals.Count != 1)
        {
            throw new CommandLineException("usage: kccrights classify <file.eml>");
        }

        var path = parsed.Positionals[0];
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return CommandLine.Fail($"cannot read '{path}': {ex.Message}", CommandLine.Failed);
        }

        // The Intake:Classification settings serve's intake uses (thresholds, council domains, limits).
        var options = KccRightsWiring.CommandConfiguration(parsed.Settings).GetValidated<ClassifierOptions>(ClassifierOptions.Section);
        var result = new MessageClassifier(options, TimeProvider.System).Classify(raw);
        output.WriteLine(ClassificationJson.ToLine(result));
        return CommandLine.Ok;
    }
}
