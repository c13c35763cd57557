using System.Reflection;

namespace KccRights.Workflows.Tests.Support;

internal static class Paths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    /// <summary>The definitions as shipped (copied beside the tests from workflows/).</summary>
    public static string Workflows => Path.Combine(AppContext.BaseDirectory, "workflows");

    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Validation", "Fixtures");

    public static string TestWorkerDll => Path.Combine(RepoRoot, "tests", "KccRights.Workflows.TestWorker", "bin", Configuration, "net10.0", "KccRights.Workflows.TestWorker.dll");

    public static string HostDll => Path.Combine(RepoRoot, "src", "KccRights.Host", "bin", Configuration, "net10.0", "kccrights.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KccRights.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("KccRights.sln not found above the test directory.");
    }
}
