using KccRights.Domain.Cases;

namespace KccRights.Domain.Tests;

public class DomainPurityTests
{
    [Test]
    public void DomainAssembly_ReferencesOnlyTheFramework()
    {
        // CONVENTIONS.md 10: domain code has no I/O and no package references.
        var references = typeof(Right).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.That(references.Where(n => !(n.StartsWith("System", StringComparison.Ordinal) || n == "netstandard" || n == "mscorlib")), Is.Empty);
    }

    [Test]
    public void DomainProject_HasNoPackageOrProjectReferences()
    {
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "KccRights.Domain", "KccRights.Domain.csproj"));

        Assert.That(project, Does.Not.Contain("PackageReference").And.Not.Contain("ProjectReference"));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KccRights.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("KccRights.sln not found above the test folder.");
    }
}
