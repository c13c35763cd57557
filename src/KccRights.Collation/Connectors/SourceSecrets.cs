using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace KccRights.Collation.Connectors;

/// <summary>
/// Secrets of source systems (bearer tokens, API keys), looked up by name: <c>SourceSystemSecrets:NAME</c> in
/// configuration or the environment (<c>SourceSystemSecrets__NAME</c>); for the demo only, a file written by
/// <c>demo-data</c> in the data directory's <c>demo-secrets</c> folder. Never logged, never in the register.
/// </summary>
public sealed class SourceSecrets(IConfiguration configuration, string dataDirectory)
{
    public const string Section = "SourceSystemSecrets";

    public string DemoFolder => Path.Combine(dataDirectory, "demo-secrets");

    public string? Find(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var configured = configuration[$"{Section}:{name}"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var file = Path.Combine(DemoFolder, name);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    public string Require(string name, string systemId) =>
        Find(name) ?? throw new SourceSystemException(
            $"source system {systemId}: the secret {name} is not configured (set {Section}:{name} or the environment variable {Section}__{name})");

    /// <summary>The demo secret, created once (a random hex string in a file readable by the service's user only).</summary>
    public string EnsureDemo(string name)
    {
        if (Find(name) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(DemoFolder);
        var file = Path.Combine(DemoFolder, name);
        File.WriteAllText(file, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return File.ReadAllText(file).Trim();
    }
}
