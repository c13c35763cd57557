using KccRights.Documents.Bundles;
using KccRights.Documents.Security;
using KccRights.Host.Composition;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights bundle --input FILE.json --out FILE.pdf [--log FILE.csv] [--encrypt] [--register FILE] [--template FILE]</c> renders a
/// response bundle from its JSON description, outside any case (issue 12); <c>kccrights bundle --schema</c> prints the
/// input's JSON Schema (committed as src/KccRights.Documents/bundle.schema.json). Bad input: exit 2 and one line naming the
/// JSON path. Needs no database.
/// </summary>
internal static class BundleCommand
{
    private const string Usage = "usage: kccrights bundle --input FILE.json --out FILE.pdf [--log FILE.csv] [--encrypt] [--register FILE] [--template FILE] | bundle --schema";

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        var parsed = new Arguments(args, ["--input", "--out", "--log", "--register", "--template"], ["--schema", "--encrypt"]);
        if (parsed.Positionals.Count > 0)
        {
            throw new CommandLineException(Usage);
        }

        if (parsed.Flag("--schema"))
        {
            output.Write(BundleJson.Schema());
            return CommandLine.Ok;
        }

        var inputPath = parsed.Single("--input") ?? throw new CommandLineException(Usage);
        var outPath = parsed.Single("--out") ?? throw new CommandLineException(Usage);
        var logPath = parsed.Single("--log");
        var templatePath = parsed.Single("--template");

        var json = Read(inputPath);
        // --register, else the Register:File setting serve checks, else the register beside the executable.
        var register = RegisterFile.Load(parsed.Single("--register")
            ?? (KccRightsWiring.CommandConfiguration(parsed.Settings)[RegisterCheck.FileSetting] is { Length: > 0 } configured ? configured : null));
        BundleInput input;
        try
        {
            input = BundleParser.Parse(json, register);
        }
        catch (BundleInputException ex)
        {
            return CommandLine.Fail(ex.Message);
        }

        var rendered = BundleRenderer.Render(input, register, new BundleRenderOptions { CoverTemplate = templatePath is null ? null : Read(templatePath) });
        var pdf = rendered.Pdf;
        string? password = null;
        if (parsed.Flag("--encrypt"))
        {
            // AES-256 with a generated password, printed once for the officer to send by another channel.
            (pdf, password) = PdfEncryption.Encrypt(pdf);
        }

        File.WriteAllBytes(outPath, pdf);
        if (logPath is not null)
        {
            File.WriteAllText(logPath, BundleRenderer.RedactionLog(input));
        }

        var withheld = input.Items.Count(i => i.Withheld is not null);
        output.WriteLine($"{outPath}: {rendered.PageCount} pages, {input.Items.Count - withheld} items disclosed, {withheld} withheld");
        if (password is not null)
        {
            output.WriteLine($"password: {password}");
        }
        return CommandLine.Ok;
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CommandLineException($"cannot read '{path}': {ex.Message}");
        }
    }
}
