using System.Text.Json.Nodes;
using KccRights.Domain.Register;

namespace KccRights.Domain.Tests;

public class RegisterOfProcessingTests
{
    private static string RegisterText() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "register-of-processing.json"));

    private static string Mutate(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(RegisterText())!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    [Test]
    public void CommittedRegister_ParsesAndHasNoSemanticErrors()
    {
        var register = RegisterParser.Parse(RegisterText());

        Assert.That(RegisterParser.Validate(register), Is.Empty);
        Assert.That(register.Controller.Name, Is.EqualTo("Kent County Council"));
    }

    [Test]
    public void CommittedRegister_HasExactlyTheAgreedSystemAndDatasetIds()
    {
        // The collation connectors use the same ids: a change here is a change there.
        var register = RegisterParser.Parse(RegisterText());

        var ids = register.Systems.ToDictionary(s => s.Id, s => s.Datasets.Select(d => d.Id).ToArray());
        Assert.That(ids, Is.EqualTo(new Dictionary<string, string[]>
        {
            ["education"] = ["pupils", "attendance", "exclusions", "assessments", "sen-support", "medical-notes", "incidents"],
            ["early-help"] = ["families", "episodes", "notes"],
            ["social-care"] = ["persons", "referrals", "assessments", "case-notes", "plans"],
            ["youth-justice"] = ["young-people", "offences", "interventions"],
            ["send"] = ["ehc-plans", "needs-assessments"],
            ["admissions"] = ["applications"],
            ["documents"] = ["files"],
        }));
    }

    [Test]
    public void CommittedRegister_FollowsThePrivacyNotice()
    {
        var register = RegisterParser.Parse(RegisterText());

        Assert.That(register.LawfulBases.Select(b => b.Article), Is.EquivalentTo(new[] { "UK GDPR Article 6(1)(c)", "UK GDPR Article 6(1)(e)" }));
        Assert.That(register.SpecialCategoryConditions.Select(b => b.Article), Is.EquivalentTo(new[]
        {
            "UK GDPR Article 9(2)(g)", "UK GDPR Article 9(2)(h)", "UK GDPR Article 9(2)(j)", "UK GDPR Article 9(2)(f)",
        }));
        Assert.That(register.Retention.Single().UntilAge, Is.EqualTo(25));
        Assert.That(register.Categories.Where(c => c.Special).Select(c => c.Id), Is.EquivalentTo(new[] { "ethnicity", "sen", "medical" }));
        Assert.That(register.FindDataset("social-care", "case-notes")!.Purposes, Does.Contain("safeguarding"));
        Assert.That(register.FindDataset("education", "nothing"), Is.Null);
    }

    [Test]
    public void DatasetNamingAnUnknownCategory_IsRefusedWithItsPath()
    {
        var json = Mutate(n => n["systems"]![0]!["datasets"]![1]!["categories"]!.AsArray().Add("shoe-size"));

        var ex = Assert.Throws<RegisterException>(() => RegisterParser.Parse(json));

        Assert.That(ex!.Message, Is.EqualTo("$.systems[0].datasets[1].categories[2]: unknown category 'shoe-size'"));
    }

    [Test]
    public void PurposeWithoutLawfulBasis_IsRefused()
    {
        var json = Mutate(n => n["purposes"]![2]!["lawfulBases"] = new JsonArray());

        var ex = Assert.Throws<RegisterException>(() => RegisterParser.Parse(json));

        Assert.That(ex!.Message, Does.StartWith("$.purposes[2].lawfulBases: purpose 'service-planning' has no lawful basis"));
    }

    [Test]
    public void SpecialCategoryDatasetWithoutArt9Condition_IsRefused()
    {
        var json = Mutate(n => n["systems"]![0]!["datasets"]![5]!["purposes"] = new JsonArray("service-improvement"));

        var ex = Assert.Throws<RegisterException>(() => RegisterParser.Parse(json));

        Assert.That(ex!.Message, Does.StartWith("$.systems[0].datasets[5].purposes: dataset 'education/medical-notes' holds special category data"));
    }

    [Test]
    public void DuplicateDatasetId_UnknownRetentionAndUnknownProperty_AreRefused()
    {
        var duplicate = Mutate(n => n["systems"]![1]!["datasets"]![2]!["id"] = "families");
        var retention = Mutate(n => n["systems"]![6]!["datasets"]![0]!["retention"] = "forever");
        var unknown = Mutate(n => n["systems"]![0]!["colour"] = "blue");

        Assert.That(Assert.Throws<RegisterException>(() => RegisterParser.Parse(duplicate))!.Message, Is.EqualTo("$.systems[1].datasets[2].id: duplicate id 'families'"));
        Assert.That(Assert.Throws<RegisterException>(() => RegisterParser.Parse(retention))!.Message, Is.EqualTo("$.systems[6].datasets[0].retention: unknown retention rule 'forever'"));
        Assert.That(Assert.Throws<RegisterException>(() => RegisterParser.Parse(unknown))!.Message, Does.StartWith("$.systems[0]"));
    }

    [Test]
    public void MissingRequiredProperty_IsRefused()
    {
        var json = Mutate(n => n.Remove("retention"));

        Assert.That(Assert.Throws<RegisterException>(() => RegisterParser.Parse(json))!.Message, Does.Contain("retention"));
    }
}
