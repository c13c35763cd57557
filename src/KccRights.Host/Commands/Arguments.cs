namespace KccRights.Host.Commands;

/// <summary>
/// A small parser for <c>--name value</c> options, repeatable options and flags, and for the settings every command
/// takes (README, Configuration): <c>--Section:Key=value</c> or <c>--Section:Key value</c>, a name with a colon, applied
/// over appsettings.json and the environment as <c>serve</c> applies them. Anything else starting with a dash is refused.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string?>> _settings = [];

    public Arguments(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 && arg.StartsWith("--", StringComparison.Ordinal)
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            if (IsSetting(name))
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new CommandLineException($"{name} needs a value (--Section:Key=value)"));
                _settings.Add(new(name[2..], value));
            }
            else if (flags.Contains(name) && inline is null)
            {
                _flags.Add(name);
            }
            else if (options.Contains(name))
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new CommandLineException($"{name} needs a value"));
                if (!_values.TryGetValue(name, out var list))
                {
                    _values[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                Positionals.Add(arg.StartsWith('-') ? throw new CommandLineException($"unknown option '{name}'") : arg);
            }
        }
    }

    public List<string> Positionals { get; } = [];

    /// <summary>The <c>--Section:Key=value</c> settings, in order (a later one wins), keyed without the dashes.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Settings => _settings;

    public bool Flag(string name) => _flags.Contains(name);

    public string? Single(string name) => _values.TryGetValue(name, out var list)
        ? list.Count == 1 ? list[0] : throw new CommandLineException($"{name} may be given once")
        : null;

    public string Required(string name) => Single(name) ?? throw new CommandLineException($"{name} is required");

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>A configuration key on the command line: <c>--Section:Key</c> (a colon after a non-empty section).</summary>
    private static bool IsSetting(string name) =>
        name.StartsWith("--", StringComparison.Ordinal) && name.IndexOf(':', StringComparison.Ordinal) > 2 && !name.EndsWith(':');
}
