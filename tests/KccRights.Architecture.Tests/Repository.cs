using System.Reflection;
using System.Xml.Linq;

namespace KccRights.Architecture.Tests;

/// <summary>
/// The source tree as the rules see it. A module is a folder under <c>src/</c> (<c>src/KccRights.Cases</c> is the module
/// <c>Cases</c>), so a module that does not exist yet is simply not there, and a new one is covered the day it lands.
/// </summary>
internal static class Repository
{
    public const string Prefix = "KccRights.";

    /// <summary>Projects that are not pipeline stages: the pure domain, the plumbing, the runtime and the composition.</summary>
    public static readonly IReadOnlySet<string> Platform = new HashSet<string>(StringComparer.Ordinal) { "Domain", "Infrastructure", "Workflows", "Host" };

    /// <summary>The product modules named by ARCHITECTURE.md, whether or not their folders exist yet.</summary>
    public static readonly IReadOnlyList<string> NamedProductModules = ["Cases", "Correspondence", "Intake", "Collation", "Disclosure", "Documents"];

    public static string Root { get; } = FindRoot();

    public static string Src => Path.Combine(Root, "src");

    /// <summary>Every module folder under src/, by short name (Cases, Intake, Host...).</summary>
    public static IReadOnlyList<string> Modules() =>
        Directory.GetDirectories(Src, Prefix + "*")
            .Select(d => Path.GetFileName(d)[Prefix.Length..])
            .Where(m => File.Exists(ProjectFile(m)))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The product modules: the named ones plus any module folder that is not platform (a new stage is product).</summary>
    public static IReadOnlySet<string> ProductModules() =>
        NamedProductModules.Concat(Modules().Where(m => !Platform.Contains(m))).ToHashSet(StringComparer.Ordinal);

    public static string ModuleDirectory(string module) => Path.Combine(Src, Prefix + module);

    public static string ProjectFile(string module) => Path.Combine(ModuleDirectory(module), Prefix + module + ".csproj");

    /// <summary>The assembly name a module builds (the host builds <c>kccrights</c>).</summary>
    public static string AssemblyName(string module)
    {
        var project = XDocument.Load(ProjectFile(module));
        var name = project.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0);
        return name ?? Prefix + module;
    }

    /// <summary>The module's built assembly, copied beside the tests through the host's references.</summary>
    public static Assembly LoadModule(string module)
    {
        var path = Path.Combine(AppContext.BaseDirectory, AssemblyName(module) + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{AssemblyName(module)}.dll is not beside the architecture tests: reference src/{Prefix}{module} from the host " +
                $"(or from tests/KccRights.Architecture.Tests).", path);
        }

        return Assembly.LoadFrom(path);
    }

    public static string AssemblyPath(string module) => Path.Combine(AppContext.BaseDirectory, AssemblyName(module) + ".dll");

    /// <summary>Source files of a module (bin, obj and node_modules left out), with paths relative to the repository.</summary>
    public static IEnumerable<SourceFile> SourceFiles(string module, params string[] extensions)
    {
        var directory = ModuleDirectory(module);
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => !Path.GetRelativePath(directory, f).Split(Path.DirectorySeparatorChar)
                .Any(part => part is "bin" or "obj" or "node_modules" or "wwwroot"))
            .Order(StringComparer.Ordinal)
            .Select(f => new SourceFile(module, Path.GetRelativePath(Root, f).Replace('\\', '/'), File.ReadAllText(f)));
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KccRights.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("KccRights.sln not found above the test folder.");
    }
}

/// <summary>One source file: the module it belongs to, its path from the repository root, and its text.</summary>
internal sealed record SourceFile(string Module, string Path, string Text);
