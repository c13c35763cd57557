using KccRights.Workflows.Runtime;

namespace KccRights.Architecture.Tests;

/// <summary>
/// The rules that keep the house livable (ARCHITECTURE.md; ADR 0005). Each rule runs on the real code, and each has a
/// planted breach that its checker must report, so a rule that cannot fail is noticed. A failure lists every violation.
/// </summary>
public class ArchitectureTests
{
    private static string Report(IReadOnlyList<string> violations) =>
        $"{violations.Count} violation(s):{Environment.NewLine}{string.Join(Environment.NewLine, violations)}";

    // (a) The domain: no package, no project, no I/O.

    [Test]
    public void Domain_ReferencesNoPackageNoProjectAndUsesNoIo()
    {
        var module = "Domain";
        var project = Repository.ProjectFile(module);
        var assembly = Repository.LoadModule(module);
        var violations = DomainRules.ProjectFileViolations($"src/KccRights.{module}/KccRights.{module}.csproj", File.ReadAllText(project))
            .Concat(DomainRules.AssemblyReferenceViolations(assembly.GetName().Name!, assembly.GetReferencedAssemblies().Select(a => a.Name!)))
            .Concat(DomainRules.IoTypeViolations(assembly.GetName().Name!, DomainRules.ReferencedTypes(Repository.AssemblyPath(module))))
            .ToList();

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void DomainRule_OnAnAssemblyThatReadsFiles_ReportsTheIoTypes()
    {
        // Planted: this test assembly reads files and directories (Repository), as the domain must not.
        var types = DomainRules.ReferencedTypes(typeof(ArchitectureTests).Assembly.Location);

        var violations = DomainRules.IoTypeViolations("planted", types);

        Assert.That(violations, Has.Some.Contains("System.IO.File").And.Some.Contains("System.IO.Directory"));
    }

    [Test]
    public void DomainRule_OnAProjectWithAPackageAndAProject_ReportsBoth()
    {
        const string planted = """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <PackageReference Include="Npgsql" />
                <ProjectReference Include="..\KccRights.Infrastructure\KccRights.Infrastructure.csproj" />
              </ItemGroup>
            </Project>
            """;

        var violations = DomainRules.ProjectFileViolations("planted.csproj", planted)
            .Concat(DomainRules.AssemblyReferenceViolations("planted", ["System.Runtime", "Npgsql"]))
            .ToList();

        Assert.That(violations, Has.Count.EqualTo(3));
        Assert.That(violations, Has.Some.Contains("Npgsql").And.Some.Contains("KccRights.Infrastructure"));
    }

    // (b) The workflow runtime knows no product.

    [Test]
    public void Workflows_ReferencesNoProductModule()
    {
        var module = "Workflows";
        var products = Repository.ProductModules();
        var assembly = Repository.LoadModule(module);
        var violations = WorkflowRules.ReferenceViolations($"src/KccRights.{module}/KccRights.{module}.csproj",
                WorkflowRules.ProjectReferences(File.ReadAllText(Repository.ProjectFile(module))), products)
            .Concat(WorkflowRules.ReferenceViolations(assembly.GetName().Name!, assembly.GetReferencedAssemblies().Select(a => a.Name!), products))
            .ToList();

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void Workflows_ContainsNoProductActivityConditionOrTaskType()
    {
        var violations = WorkflowRules.TypeViolations(Repository.LoadModule("Workflows"));

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void Workflows_CreatesNoTaskTypeOrCondition()
    {
        var violations = WorkflowRules.InstanceViolations(Repository.SourceFiles("Workflows", ".cs"));

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void WorkflowRule_OnSourceCreatingATaskTypeOrCondition_ReportsEachWithItsLine()
    {
        var planted = new SourceFile("Workflows", "src/KccRights.Workflows/Planted.cs", """
            class Planted
            {
                // new HumanTaskType("in-a-comment", "not code")
                void Register(IServiceCollection services)
                {
                    services.AddSingleton(new HumanTaskType("identity-check", "Check the ID"));
                    services.AddSingleton<IWorkflowCondition>(new KccRights.Workflows.Runtime.DataFlagCondition("identity-in-doubt", "identityInDoubt"));
                }
            }
            """);

        var violations = WorkflowRules.InstanceViolations([planted]);

        Assert.That(violations, Has.Count.EqualTo(2));
        Assert.That(violations[0], Does.StartWith("src/KccRights.Workflows/Planted.cs:6: new HumanTaskType"));
        Assert.That(violations[1], Does.StartWith("src/KccRights.Workflows/Planted.cs:7: new DataFlagCondition"));
    }

    [Test]
    public void WorkflowRule_OnAProjectReferencingAModule_ReportsIt()
    {
        const string planted = """
            <Project><ItemGroup>
              <ProjectReference Include="..\KccRights.Infrastructure\KccRights.Infrastructure.csproj" />
              <ProjectReference Include="..\KccRights.Correspondence\KccRights.Correspondence.csproj" />
            </ItemGroup></Project>
            """;

        var violations = WorkflowRules.ReferenceViolations("planted", WorkflowRules.ProjectReferences(planted), Repository.ProductModules());

        Assert.That(violations, Has.Count.EqualTo(1));
        Assert.That(violations[0], Does.Contain("KccRights.Correspondence"));
    }

    [Test]
    public void WorkflowRule_OnAnAssemblyWithProductTypes_ReportsEachAndAllowsTheGenericOnes()
    {
        // Planted: the types below live in this test assembly, as they must not in the runtime.
        var violations = WorkflowRules.TypeViolations(typeof(ArchitectureTests).Assembly);

        Assert.That(violations, Has.Some.Contains(nameof(PlantedLetterHandler)));
        Assert.That(violations, Has.Some.Contains(nameof(PlantedCondition)));
        Assert.That(violations, Has.Some.Contains($"{nameof(PlantedCatalog)}.{nameof(PlantedCatalog.TaskTypes)}"));
        Assert.That(violations, Has.Some.Contains($"{nameof(PlantedCatalog)}.{nameof(PlantedCatalog.Conditions)}"));
        Assert.That(violations, Has.None.Contains(nameof(WorkflowTimerHandler)).And.None.Contains(nameof(DataFlagCondition)));
    }

    // (c) The host contains no SQL.

    [Test]
    public void Host_ContainsNoSql()
    {
        var violations = HostRules.SqlViolations(Repository.SourceFiles("Host", ".cs", ".cshtml"));

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void HostRule_OnSqlInALiteralOrAPage_ReportsEachWithItsLine()
    {
        var code = new SourceFile("Host", "src/KccRights.Host/Planted.cs", """"
            // SELECT id FROM cases in a comment is not SQL.
            class Planted
            {
                const string Read = "SELECT id FROM cases WHERE id = @id";
                const string Raw = $$"""
                    UPDATE cases c
                    SET status = 'closed' WHERE id = {{1}}
                    """;
                const string Message = "Select a case from the list.";
            }
            """");
        var page = new SourceFile("Host", "src/KccRights.Host/Pages/Planted.cshtml", "<p>Select a case from the list.</p>\n@{ var sql = \"DELETE FROM jobs\"; }\n");

        var violations = HostRules.SqlViolations([code, page]);

        Assert.That(violations, Is.EquivalentTo(new[]
        {
            "src/KccRights.Host/Planted.cs:4: SELECT: \"SELECT id FROM cases\" (SQL in the host: move it to the owning module)",
            "src/KccRights.Host/Planted.cs:6: UPDATE cases: \"UPDATE cases c SET\" (SQL in the host: move it to the owning module)",
            "src/KccRights.Host/Pages/Planted.cshtml:2: DELETE jobs: \"DELETE FROM jobs\" (SQL in the host: move it to the owning module)",
        }));
    }

    // (d) Only a table's owner writes it.

    [Test]
    public void EveryTableTheMigrationsCreate_HasAnOwnerModule()
    {
        var violations = OwnershipRules.UnmappedTables(CreatedTables(), OwnershipMap(), Repository.Modules());

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void OnlyATablesOwnerModule_WritesIt()
    {
        var files = Repository.Modules().SelectMany(m => Repository.SourceFiles(m, ".cs", ".cshtml"));

        var violations = OwnershipRules.WriteViolations(files, OwnershipMap());

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void OwnershipRule_OnAMigrationCreatingAnUnmappedTable_ReportsIt()
    {
        var map = OwnershipRules.ParseMap("| Table | Owner | Why |\n|---|---|---|\n| `cases` | Cases | the case |\n");
        var created = OwnershipRules.CreatedTables([
            ("0001_create_cases.sql", "CREATE TABLE cases (id bigint);"),
            ("0090_collation_sources.sql", "-- CREATE TABLE not_this (id int);\nCREATE TABLE IF NOT EXISTS collation_sources (id bigint);"),
        ]);

        var violations = OwnershipRules.UnmappedTables(created, map, ["Cases"]);

        Assert.That(violations, Has.Count.EqualTo(1));
        Assert.That(violations[0], Does.Contain("0090_collation_sources.sql").And.Contain("collation_sources"));
    }

    [Test]
    public void OwnershipRule_OnAWriteFromAnotherModule_ReportsFileLineTableAndModules()
    {
        var map = OwnershipRules.ParseMap("| `cases` | Cases | x |\n| `jobs` | Workflows | x |\n| `outbound_messages` | Correspondence | x |\n");
        var intake = new SourceFile("Intake", "src/KccRights.Intake/Planted.cs", """
            class Planted
            {
                const string Open = "INSERT INTO cases (reference) VALUES (@r)";
                const string Claim = "SELECT id FROM jobs FOR UPDATE SKIP LOCKED";
                const string Upsert = "INSERT INTO inbound_messages (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = 1";
                const string Copy = "COPY outbound_messages (id) FROM STDIN (FORMAT BINARY)";
            }
            """);
        var cases = new SourceFile("Cases", "src/KccRights.Cases/Planted.cs", "class P { const string S = \"DELETE FROM cases WHERE id = 1\"; }");

        var violations = OwnershipRules.WriteViolations([intake, cases], map);

        Assert.That(violations, Is.EquivalentTo(new[]
        {
            "src/KccRights.Intake/Planted.cs:3: Intake writes cases (owned by Cases): INSERT \"INSERT INTO cases\"",
            "src/KccRights.Intake/Planted.cs:6: Intake writes outbound_messages (owned by Correspondence): COPY \"COPY outbound_messages (\"",
        }));
    }

    // (e) References follow the pipeline.

    [Test]
    public void ModuleReferences_FollowThePipeline()
    {
        var products = Repository.ProductModules();
        var violations = Repository.Modules()
            .SelectMany(m => DependencyRules.Violations(m, WorkflowRules.ProjectReferences(File.ReadAllText(Repository.ProjectFile(m))), products))
            .ToList();

        Assert.That(violations, Is.Empty, Report(violations));
    }

    [Test]
    public void DependencyRule_OnBackwardAndPlatformReferences_ReportsEach()
    {
        var products = new HashSet<string>(DependencyRules.Pipeline, StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(DependencyRules.Violations("Intake", ["KccRights.Domain", "KccRights.Workflows", "KccRights.Cases", "KccRights.Correspondence"], products), Is.Empty);
            Assert.That(DependencyRules.Violations("Documents", ["KccRights.Cases", "KccRights.Correspondence"], products), Is.Empty, "Cases from anywhere; Correspondence is to its right");
            Assert.That(DependencyRules.Violations("Correspondence", ["KccRights.Documents"], products), Has.Count.EqualTo(1), "Documents is to its left");
            Assert.That(DependencyRules.Violations("Cases", ["KccRights.Correspondence"], products), Has.Count.EqualTo(1), "Cases references no product module");
            Assert.That(DependencyRules.Violations("Disclosure", ["KccRights.Collation"], products), Has.Count.EqualTo(1), "backwards");
            Assert.That(DependencyRules.Violations("Infrastructure", ["KccRights.Intake"], products), Has.Count.EqualTo(1), "platform");
            Assert.That(DependencyRules.Violations("Documents", ["KccRights.Host"], products), Has.Count.EqualTo(1), "host");
        });
    }

    private static IReadOnlyDictionary<string, string> OwnershipMap() =>
        OwnershipRules.ParseMap(File.ReadAllText(Path.Combine(Repository.Root, OwnershipRules.MapPath)));

    private static IReadOnlyDictionary<string, string> CreatedTables() =>
        OwnershipRules.CreatedTables(Directory.GetFiles(Path.Combine(Repository.Src, "KccRights.Infrastructure", "Database", "Migrations"), "*.sql")
            .Concat(Repository.Modules().Where(m => m != "Infrastructure")
                .SelectMany(m => Directory.EnumerateFiles(Repository.ModuleDirectory(m), "*.sql", SearchOption.AllDirectories))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
}

// Planted breaches for the runtime rule: product types as they must not appear in KccRights.Workflows.

public sealed class PlantedLetterHandler : IJobHandler
{
    public string Kind => "planted-letter";

    public Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

public sealed class PlantedCondition : IWorkflowCondition
{
    public string Name => "planted";

    public ValueTask<bool> EvaluateAsync(ConditionContext context, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}

public static class PlantedCatalog
{
    public static IReadOnlyList<HumanTaskType> TaskTypes { get; } = [new("planted-review", "A product task type")];

    public static IReadOnlyList<IWorkflowCondition> Conditions { get; } = [new DataFlagCondition("planted-flag", "plantedFlag")];
}
