using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using KccRights.Workflows.Runtime;

namespace KccRights.Architecture.Tests;

/// <summary>Rule (a): the domain is pure: no package, no other project, no I/O (CONVENTIONS.md 10).</summary>
internal static class DomainRules
{
    /// <summary>Types whose use is I/O (files, streams, network, database, processes, the console).</summary>
    private static readonly string[] ForbiddenPrefixes =
    [
        "System.IO.", "System.Net.", "System.Data.", "Npgsql.", "Dapper.", "System.Diagnostics.Process", "System.Console",
        "Microsoft.Data.", "Microsoft.Extensions.", "Microsoft.AspNetCore.",
    ];

    /// <summary>Exceptions in System.IO that pure code may throw or catch without doing I/O.</summary>
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal) { "System.IO.InvalidDataException" };

    public static IReadOnlyList<string> ProjectFileViolations(string projectPath, string projectText)
    {
        var project = XDocument.Parse(projectText);
        return project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "FrameworkReference")
            .Select(e => $"{projectPath}: {e.Name.LocalName} {e.Attribute("Include")?.Value} (the domain references nothing)")
            .ToList();
    }

    public static IReadOnlyList<string> AssemblyReferenceViolations(string assemblyName, IEnumerable<string> referencedAssemblies) =>
        referencedAssemblies
            .Where(n => !(n.StartsWith("System", StringComparison.Ordinal) || n is "netstandard" or "mscorlib"))
            .Select(n => $"{assemblyName} references the assembly {n} (the domain references only the framework)")
            .ToList();

    public static IReadOnlyList<string> IoTypeViolations(string assemblyName, IEnumerable<string> referencedTypes) =>
        referencedTypes
            .Where(t => !Allowed.Contains(t) && ForbiddenPrefixes.Any(p => t.StartsWith(p, StringComparison.Ordinal) || t == p.TrimEnd('.')))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(t => $"{assemblyName} uses {t} (I/O: the domain is pure; do it in a module and pass the result in)")
            .ToList();

    /// <summary>Every type the assembly's IL refers to outside itself (type references, nested ones named Outer+Inner).</summary>
    public static IReadOnlyList<string> ReferencedTypes(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (var handle in reader.TypeReferences)
        {
            names.Add(FullName(reader, handle));
        }

        return names;
    }

    private static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return FullName(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + name;
        }

        var ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}

/// <summary>Rule (b): the workflow runtime is a library that knows no product (ARCHITECTURE.md, "The runtime is a library").</summary>
internal static class WorkflowRules
{
    /// <summary>The runtime's own job handlers: timers firing, and the generic notification job a definition's reminder names.</summary>
    public static readonly IReadOnlySet<string> AllowedJobHandlers = new HashSet<string>(StringComparer.Ordinal)
    {
        "KccRights.Workflows.Runtime.WorkflowTimerHandler",
        "KccRights.Workflows.Reminders.SendNotificationHandler",
    };

    /// <summary>Generic condition shapes a module instantiates with its own names (the runtime itself registers none).</summary>
    public static readonly IReadOnlySet<string> AllowedConditions = new HashSet<string>(StringComparer.Ordinal)
    {
        "KccRights.Workflows.Runtime.DataFlagCondition",
        "KccRights.Workflows.Runtime.OutcomeCondition",
    };

    public static IReadOnlyList<string> ReferenceViolations(string what, IEnumerable<string> references, IReadOnlySet<string> productModules) =>
        references
            .Where(r => r.StartsWith(Repository.Prefix, StringComparison.Ordinal) && productModules.Contains(r[Repository.Prefix.Length..]))
            .Select(r => $"{what} references the product module {r} (the runtime knows no product; the module registers with it)")
            .ToList();

    public static IReadOnlyList<string> ProjectReferences(string projectText) =>
        XDocument.Parse(projectText).Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension((e.Attribute("Include")?.Value ?? "").Replace('\\', '/')))
            .ToList();

    /// <summary>
    /// Product types in an assembly: job handlers, conditions other than the generic shapes, and any static member that
    /// holds task types, conditions or handlers (a built-in list of the product's names).
    /// </summary>
    public static IReadOnlyList<string> TypeViolations(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var violations = new List<string>();
        foreach (var type in LoadableTypes(assembly).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var name = type.FullName ?? type.Name;
            if (type is { IsClass: true, IsAbstract: false } && typeof(IJobHandler).IsAssignableFrom(type) && !AllowedJobHandlers.Contains(name))
            {
                violations.Add($"{name} is a job handler (activity) in the runtime: move it to the module whose work it is and register it there");
            }

            if (type is { IsClass: true, IsAbstract: false } && typeof(IWorkflowCondition).IsAssignableFrom(type) && !AllowedConditions.Contains(name))
            {
                violations.Add($"{name} is a product condition in the runtime: move it to its module and register it there");
            }

            const BindingFlags Statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            var members = type.GetFields(Statics).Where(f => !f.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
                .Select(f => (f.Name, f.FieldType))
                .Concat(type.GetProperties(Statics).Select(p => (p.Name, p.PropertyType)));
            foreach (var (member, memberType) in members)
            {
                if (Holds(memberType) is { } held)
                {
                    violations.Add($"{name}.{member} holds {held} instances in the runtime: the product's {held}s are registered by their modules");
                }
            }
        }

        return violations;
    }

    /// <summary>
    /// Source check beside the reflection: a runtime file that creates a task type or a condition (<c>new HumanTaskType(...)</c>,
    /// <c>new DataFlagCondition(...)</c>) is naming a product's task or condition, which its module should register.
    /// </summary>
    public static IReadOnlyList<string> InstanceViolations(IEnumerable<SourceFile> files)
    {
        string[] product = ["HumanTaskType", "DataFlagCondition", "OutcomeCondition"];
        var violations = new List<string>();
        foreach (var file in files.Where(f => f.Path.EndsWith(".cs", StringComparison.Ordinal)))
        {
            var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(file.Text);
            foreach (var creation in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ObjectCreationExpressionSyntax>())
            {
                var name = creation.Type.ToString().Split('.')[^1];
                if (product.Contains(name, StringComparer.Ordinal))
                {
                    var line = creation.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    violations.Add($"{file.Path}:{line}: new {name}(...) in the runtime: the module whose task or condition it is registers it");
                }
            }
        }

        return violations;
    }

    private static string? Holds(Type type)
    {
        Type[] product = [typeof(HumanTaskType), typeof(IWorkflowCondition), typeof(IJobHandler)];
        var element = type.IsArray
            ? type.GetElementType()
            : type.IsGenericType && type.GetGenericArguments() is [var only] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? only : type;
        return product.FirstOrDefault(p => element is not null && p.IsAssignableFrom(element))?.Name;
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}

/// <summary>Rule (c): the host composes and renders; its SQL belongs to the module that owns the tables.</summary>
internal static class HostRules
{
    public static IReadOnlyList<string> SqlViolations(IEnumerable<SourceFile> files) =>
        files.SelectMany(SqlScanner.Scan)
            .Select(s => $"{s.Where}: {s.Kind}{(s.Table is null ? "" : " " + s.Table)}: \"{s.Snippet}\" (SQL in the host: move it to the owning module)")
            .ToList();
}

/// <summary>Rule (d): a table is written only by its owner module (docs/tables.md; ADR 0005).</summary>
internal static partial class OwnershipRules
{
    public const string MapPath = "docs/tables.md";

    /// <summary>Rows of the ownership map: <c>| `table` | Module | why |</c>.</summary>
    public static IReadOnlyDictionary<string, string> ParseMap(string markdown)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in markdown.Split('\n'))
        {
            var row = MapRow().Match(line);
            if (row.Success)
            {
                if (!map.TryAdd(row.Groups["table"].Value, row.Groups["owner"].Value))
                {
                    throw new FormatException($"{MapPath}: the table {row.Groups["table"].Value} is listed twice.");
                }
            }
        }

        return map;
    }

    /// <summary>Tables created by the migrations, each with the first migration that creates it.</summary>
    public static IReadOnlyDictionary<string, string> CreatedTables(IEnumerable<(string Name, string Sql)> migrations)
    {
        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, sql) in migrations.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var code = SqlComment().Replace(sql, "");
            foreach (Match m in CreateTable().Matches(code))
            {
                var table = m.Groups["table"].Value.ToLowerInvariant();
                tables.TryAdd(table[(table.LastIndexOf('.') + 1)..], name);
            }
        }

        return tables;
    }

    public static IReadOnlyList<string> UnmappedTables(IReadOnlyDictionary<string, string> created, IReadOnlyDictionary<string, string> map, IReadOnlyCollection<string> modules) =>
        created.Where(t => !map.ContainsKey(t.Key))
            .Select(t => $"{t.Value} creates the table {t.Key}, which has no owner in {MapPath}: add a row naming its module")
            .Concat(map.Where(t => !modules.Contains(t.Value) && !Repository.NamedProductModules.Contains(t.Value))
                .Select(t => $"{MapPath}: the table {t.Key} is owned by '{t.Value}', which is not a module (a folder src/KccRights.{t.Value})"))
            .ToList();

    /// <summary>Every write (INSERT, UPDATE, DELETE, COPY, TRUNCATE) to a mapped table from a module that does not own it.</summary>
    public static IReadOnlyList<string> WriteViolations(IEnumerable<SourceFile> files, IReadOnlyDictionary<string, string> map) =>
        files.SelectMany(f => SqlScanner.Scan(f).Select(s => (f.Module, Statement: s)))
            .Where(x => x.Statement.Table is { } table && map.TryGetValue(table, out var owner) && owner != x.Module)
            .Select(x => $"{x.Statement.Where}: {x.Module} writes {x.Statement.Table} (owned by {map[x.Statement.Table!]}): {x.Statement.Kind} \"{x.Statement.Snippet}\"")
            .ToList();

    [GeneratedRegex(@"^\|\s*`(?<table>[a-z_][a-z0-9_]*)`\s*\|\s*(?<owner>[A-Za-z]+)\s*\|")]
    private static partial Regex MapRow();

    [GeneratedRegex(@"\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<table>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex SqlComment();
}

/// <summary>
/// Rule (e): references follow the pipeline (ADR 0005). A product module may reference the platform, Cases, and modules
/// to its right (Intake -> Cases -> Collation -> Disclosure -> Documents -> Correspondence); never one to its left, never
/// the host. The platform references no product module. A module not in the pipeline list is only kept from the platform.
/// </summary>
internal static class DependencyRules
{
    public static readonly IReadOnlyList<string> Pipeline = ["Intake", "Cases", "Collation", "Disclosure", "Documents", "Correspondence"];

    public static IReadOnlyList<string> Violations(string module, IEnumerable<string> referencedProjects, IReadOnlySet<string> productModules)
    {
        var violations = new List<string>();
        foreach (var reference in referencedProjects.Where(r => r.StartsWith(Repository.Prefix, StringComparison.Ordinal)).Select(r => r[Repository.Prefix.Length..]))
        {
            if (reference == "Host" && module != "Host")
            {
                violations.Add($"KccRights.{module} references KccRights.Host (only the host composes)");
            }
            else if (module is "Domain" or "Infrastructure" && reference is not ("Domain" or "Infrastructure"))
            {
                violations.Add($"KccRights.{module} (platform) references KccRights.{reference}");
            }
            else if (productModules.Contains(module) && productModules.Contains(reference) && reference != "Cases")
            {
                var from = Pipeline.ToList().IndexOf(module);
                var to = Pipeline.ToList().IndexOf(reference);
                if (module == "Cases" || (from >= 0 && to >= 0 && to < from))
                {
                    violations.Add($"KccRights.{module} references KccRights.{reference}, which comes before it in the pipeline " +
                        "(work flows back through the case and the runtime, not by a reference)");
                }
            }
        }

        return violations;
    }
}
