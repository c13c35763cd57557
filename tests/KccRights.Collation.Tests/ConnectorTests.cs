using Microsoft.Extensions.Configuration;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using Npgsql;

namespace KccRights.Collation.Tests;

public class ConnectorTests
{
    private static IEnumerable<TestCaseData> PlantedInSystems() =>
        DemoSystems.People.SelectMany(p => p.Systems.Select(s => new TestCaseData(p.Key, s).SetArgDisplayNames(p.Key, s)));

    [TestCaseSource(nameof(PlantedInSystems))]
    public async Task Connector_FetchesExactlyThePlantedPersonsRecords(string key, string system)
    {
        var demo = await DemoSystems.GetAsync();
        var personId = demo.Truth.People[key][system].Single();
        var records = await demo.Connectors.Get(system).FetchAsync([new ConfirmedIdentity(system, personId, [personId])], CancellationToken.None);
        var expected = demo.Truth.Records[key][system];
        var fetched = records.GroupBy(r => r.Dataset).ToDictionary(g => g.Key, g => g.Select(r => r.RecordId).Order(StringComparer.Ordinal).ToList());
        foreach (var (dataset, ids) in expected.Where(e => e.Value.Count > 0))
        {
            Assert.That(fetched.GetValueOrDefault(dataset) ?? [], Is.EqualTo(ids.Order(StringComparer.Ordinal)), $"{key} {system} {dataset}");
        }

        Assert.That(fetched.Keys.Where(k => !expected.ContainsKey(k)), Is.Empty, $"{key} {system}: records from datasets the truth does not list");
        Assert.That(records.All(r => r.System == system), Is.True);
    }

    [Test]
    public async Task HttpConnector_FollowsPagesAndSendsItsToken()
    {
        var demo = await DemoSystems.GetAsync();
        var configuration = DemoSystems.Configure(demo.Server.BaseAddress, DemoSystems.Token, pageSize: 1);
        var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
        await using var connectors = new SourceConnectors(options, configuration, demo.DataSource, new SourceSecrets(configuration, demo.DataDirectory), demo.DataDirectory);
        var personId = demo.Truth.People["P03"]["youth-justice"].Single();
        while (demo.Server.Requests.TryDequeue(out _))
        {
        }

        var records = await connectors.Get("youth-justice").FetchAsync([new ConfirmedIdentity("youth-justice", personId, [personId])], CancellationToken.None);
        var offences = demo.Truth.Records["P03"]["youth-justice"]["offences"];
        Assert.That(offences, Has.Count.EqualTo(2));
        Assert.That(records.Where(r => r.Dataset == "offences").Select(r => r.RecordId), Is.EquivalentTo(offences));
        var requests = demo.Server.Requests.ToList();
        Assert.That(requests, Has.Some.Contains("/offences?page=2&pageSize=1"));
        Assert.That(requests, Has.None.Contains("/offences?page=3"), "page 2 answered hasMore=false");
        Assert.That(records.Single(r => r.Dataset == "offences" && r.RecordId == offences[0]).FreeText, Does.Contain("was arrested"));
    }

    [Test]
    public async Task HttpConnector_WithAWrongToken_FailsNamingTheSettingNotTheToken()
    {
        var demo = await DemoSystems.GetAsync();
        var configuration = DemoSystems.Configure(demo.Server.BaseAddress, "not-the-token");
        var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!;
        await using var connectors = new SourceConnectors(options, configuration, demo.DataSource, new SourceSecrets(configuration, demo.DataDirectory), demo.DataDirectory);
        var ex = Assert.ThrowsAsync<SourceSystemException>(() => connectors.Get("youth-justice").FetchAsync([new ConfirmedIdentity("youth-justice", "YJ-2015-00001", [])], CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("bearer token was refused (401)").And.Contain("SourceSystemSecrets:YouthJusticeToken"));
        Assert.That(ex.Message, Does.Not.Contain("not-the-token"));

        // The matcher reports the system it could not search instead of leaving a silent gap.
        var daniel = DemoSystems.People.Single(p => p.Key == "P01");
        var result = await new Matching.PersonMatcher(connectors).FindAsync(new PersonQuery(daniel.Given, daniel.Family, DateOfBirth: daniel.DateOfBirth));
        Assert.That(result.Failures, Has.One.Contains("youth-justice"));
    }

    [Test]
    public async Task FolderConnector_ReadsPdfDocxAndEml_ByTheIdentifiersTheyCite()
    {
        var demo = await DemoSystems.GetAsync();
        var identities = new List<ConfirmedIdentity>();
        foreach (var key in new[] { "P01", "P03" })
        {
            foreach (var (system, ids) in demo.Truth.People[key].Where(s => s.Key != "documents"))
            {
                var prefix = system switch { "education" => "EDU-", "early-help" => "EH-", "social-care" => "CSC-", _ => "" };
                identities.AddRange(ids.Select(id => new ConfirmedIdentity(system, id, [prefix + id])));
            }
        }

        var records = await demo.Connectors.Get("documents").FetchAsync(identities, CancellationToken.None);
        var expected = demo.Truth.Records["P01"]["documents"]["files"].Concat(demo.Truth.Records["P03"]["documents"]["files"]).ToList();
        Assert.That(records.Select(r => r.RecordId), Is.EquivalentTo(expected));
        var pdf = records.Single(r => r.RecordId.EndsWith(".pdf", StringComparison.Ordinal) && r.RecordId.Contains(demo.Truth.People["P01"]["education"].Single(), StringComparison.Ordinal));
        var docx = records.Single(r => r.RecordId.EndsWith(".docx", StringComparison.Ordinal));
        var eml = records.Single(r => r.RecordId.EndsWith(".eml", StringComparison.Ordinal));
        Assert.That(pdf.FreeText, Does.Contain("Daniel Mensah").And.Contain("Q886402899112"));
        Assert.That(docx.FreeText, Does.Contain("Team Around the Family meeting: Daniel Okafor").And.Contain("Danielle Okafor"));
        Assert.That(eml.FreeText, Does.Contain("Subject: Concern about Jade Parker"));
        Assert.That(records.All(r => r.IsDocument && r.Attachments.Single().Content.Length > 0), Is.True);
    }

    [Test]
    public void Validation_NamesEachBadSetting()
    {
        var options = new SourceSystemsOptions
        {
            Systems =
            [
                new SourceSystemOptions { Id = "a", Kind = "postgres", Datasets = [new DatasetOptions { Id = "x", Query = "SELECT 1" }] },
                new SourceSystemOptions { Id = "b", Kind = "http-json", BaseUrl = "ftp://x" },
                new SourceSystemOptions { Id = "c", Kind = "folder" },
                new SourceSystemOptions { Id = "a", Kind = "ldap" },
            ],
        };
        var errors = options.Validate();
        Assert.That(errors, Has.Some.Contains("(a):Datasets (x): Query must select the person's records with the @person_id parameter"));
        Assert.That(errors, Has.Some.Contains("BaseUrl 'ftp://x'"));
        Assert.That(errors, Has.Some.Contains("(c):Folder is required"));
        Assert.That(errors, Has.Some.Contains("the id is used twice"));
        Assert.That(errors, Has.Some.Contains("Kind 'ldap'"));
    }

    [Test]
    public async Task ShippedConfiguration_IsValid_AndNamesEverySystemAndDataset()
    {
        var demo = await DemoSystems.GetAsync();
        Assert.That(demo.Options.Validate(), Is.Empty);
        var expected = new Dictionary<string, string[]>
        {
            ["education"] = ["pupils", "attendance", "exclusions", "assessments", "sen-support", "medical-notes", "incidents"],
            ["early-help"] = ["families", "episodes", "notes"],
            ["social-care"] = ["persons", "referrals", "assessments", "case-notes", "plans"],
            ["youth-justice"] = ["young-people", "offences", "interventions"],
            ["send"] = ["ehc-plans", "needs-assessments"],
            ["admissions"] = ["applications"],
            ["documents"] = ["files"],
        };
        Assert.That(demo.Options.Systems.ToDictionary(s => s.Id, s => s.Datasets.Select(d => d.Id).ToArray()), Is.EqualTo(expected));
        await using var connection = new NpgsqlConnection(demo.ConnectionString);
        await connection.OpenAsync();
        await using var who = new NpgsqlCommand("SELECT current_user", connection);
        Assert.That(await who.ExecuteScalarAsync(), Is.EqualTo("kccrights_app"), "the connectors read as the service's role, granted SELECT by demo-data");
    }
}
