using System.Text.Json.Nodes;
using KccRights.Documents.Bundles;
using KccRights.TestSupport;
using static KccRights.Documents.Tests.BundleFixtures;

namespace KccRights.Documents.Tests;

/// <summary><c>kccrights bundle</c> as an officer or a script runs it: the real executable, files in, files out.</summary>
public class BundleCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "kcc-bundle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "input.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string Mutate(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(SampleJson)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    [Test]
    public async Task Sample_WritesThePdfAndTheLog()
    {
        var pdf = Path.Combine(_dir, "out.pdf");
        var log = Path.Combine(_dir, "log.csv");

        var (code, stdout, stderr) = await Kccrights.RunAsync("bundle", "--input", Write(SampleJson), "--out", pdf, "--log", log);

        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("7 pages, 4 items disclosed, 1 withheld"));
        Assert.That(PdfInspection.AllText(File.ReadAllBytes(pdf)), Does.Contain("Page 7 of 7").And.Not.Contain("Jane Harlow"));
        Assert.That(File.ReadAllLines(log)[0], Is.EqualTo("item,location,start,length,code,action,note"));
    }

    [Test]
    public async Task Encrypt_WritesAnAes256PdfThatOpensOnlyWithThePrintedPassword()
    {
        var pdf = Path.Combine(_dir, "out.pdf");

        var (code, stdout, stderr) = await Kccrights.RunAsync("bundle", "--input", Write(SampleJson), "--out", pdf, "--encrypt");

        Assert.That(code, Is.EqualTo(0), stderr);
        var password = stdout.Split('\n').Single(l => l.StartsWith("password: ", StringComparison.Ordinal))["password: ".Length..].Trim();
        var bytes = File.ReadAllBytes(pdf);
        Assert.That(() => UglyToad.PdfPig.PdfDocument.Open(bytes), Throws.InstanceOf<UglyToad.PdfPig.Exceptions.PdfDocumentEncryptedException>());
        using var opened = UglyToad.PdfPig.PdfDocument.Open(bytes, new UglyToad.PdfPig.ParsingOptions { Password = password });
        Assert.That(opened.NumberOfPages, Is.EqualTo(7));
    }

    [Test]
    public async Task Schema_PrintsExactlyTheCommittedFile()
    {
        var committed = await File.ReadAllTextAsync(Path.Combine(BundleTests.RepositoryRoot(), "src", "KccRights.Documents", "bundle.schema.json"));

        var (code, stdout, _) = await Kccrights.RunAsync("bundle", "--schema");

        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Is.EqualTo(committed));
    }

    [Test]
    public async Task OverlappingRedaction_ExitsTwoWithOneLineNamingBothPaths()
    {
        var json = Mutate(n =>
        {
            var redactions = n["items"]![2]!["redactions"]!.AsArray();
            redactions.Add(new JsonObject { ["field"] = null, ["start"] = 62, ["length"] = 3, ["code"] = "TP", ["note"] = "overlap" });
        });

        var (code, stdout, stderr) = await Kccrights.RunAsync("bundle", "--input", Write(json), "--out", Path.Combine(_dir, "x.pdf"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.TrimEnd('\n').Split('\n'), Is.EqualTo(new[] { "kccrights: $.items[2].redactions[2]: overlaps $.items[2].redactions[1]" }));
        Assert.That(File.Exists(Path.Combine(_dir, "x.pdf")), Is.False);
        Assert.That(stdout, Is.Empty);
    }

    [TestCase("$.items[0].redactions[0].start", "\"start\": \"78\"")]
    [TestCase("$.items[1].redactions[0]", "\"length\": 12000")]
    [TestCase("$.items[0].colour", "\"colour\": 1")]
    public async Task BadRedactionOrProperty_ExitsTwoWithThePath(string path, string replacement)
    {
        var json = Mutate(n =>
        {
            switch (replacement)
            {
                case "\"start\": \"78\"":
                    n["items"]![0]!["redactions"]![0]!["start"] = "78";
                    break;
                case "\"length\": 12000":
                    n["items"]![1]!["redactions"]![0]!["length"] = 12000;
                    break;
                default:
                    n["items"]![0]!["colour"] = 1;
                    break;
            }
        });

        var (code, _, stderr) = await Kccrights.RunAsync("bundle", "--input", Write(json), "--out", Path.Combine(_dir, "x.pdf"));

        Assert.That(code, Is.EqualTo(2));
        var lines = stderr.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.StartWith($"kccrights: {path}"));
    }
}

/// <summary>Bad input, in process: every refusal names its JSON path in one line.</summary>
public class BundleParserTests
{
    private static string Mutate(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(SampleJson)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    private static string Refusal(string json) => Assert.Throws<BundleInputException>(() => BundleParser.Parse(json, Register))!.Message;

    [Test]
    public void OutOfRangeRedaction_IsRefused_NeverClipped()
    {
        var message = Refusal(Mutate(n => n["items"]![0]!["redactions"]![0]!["length"] = 5000));

        Assert.That(message, Does.StartWith("$.items[0].redactions[0]: 78+5000 runs past the end of the text"));
    }

    [Test]
    public void RedactionOfAnUnknownField_IsRefused() =>
        Assert.That(Refusal(Mutate(n => n["items"]![2]!["redactions"]![0]!["field"] = "Nope")), Is.EqualTo("$.items[2].redactions[0].field: 'Nope' is not a field of $.items[2]"));

    [Test]
    public void NegativeStartZeroLengthAndUnknownCode_AreRefused()
    {
        Assert.That(Refusal(Mutate(n => n["items"]![0]!["redactions"]![0]!["start"] = -1)), Does.StartWith("$.items[0].redactions[0].start:"));
        Assert.That(Refusal(Mutate(n => n["items"]![0]!["redactions"]![0]!["length"] = 0)), Does.StartWith("$.items[0].redactions[0].length:"));
        Assert.That(Refusal(Mutate(n => n["items"]![0]!["redactions"]![0]!["code"] = "SECRET")), Is.EqualTo("$.items[0].redactions[0].code: unknown exemption code 'SECRET'"));
        Assert.That(Refusal(Mutate(n => n["items"]![3]!["withheld"]!["code"] = "NOPE")), Is.EqualTo("$.items[3].withheld.code: unknown exemption code 'NOPE'"));
    }

    [Test]
    public void RedactionSplittingASurrogatePair_IsRefused()
    {
        var input = Input(Item("emoji", "Hi 😀 there", redactions: [new BundleRedaction { Field = null, Start = 4, Length = 3, Code = "TP" }]));

        var ex = Assert.Throws<BundleInputException>(() => BundleParser.Validate(input, Register));

        Assert.That(ex!.Message, Is.EqualTo("$.items[0].redactions[0]: an end falls inside a surrogate pair of the text"));
    }

    [Test]
    public void UnknownSystemOrDataset_DuplicateId_AndMissingProperty_AreRefused()
    {
        Assert.That(Refusal(Mutate(n => n["items"]![1]!["system"] = "housing")), Does.StartWith("$.items[1].system: unknown system 'housing'"));
        Assert.That(Refusal(Mutate(n => n["items"]![1]!["dataset"] = "files")), Is.EqualTo("$.items[1].dataset: unknown dataset 'files' of system 'education'"));
        Assert.That(Refusal(Mutate(n => n["items"]![1]!["id"] = "EDU-ATT-2025-001")), Is.EqualTo("$.items[1].id: 'EDU-ATT-2025-001' is also the id of $.items[0]"));
        Assert.That(Refusal(Mutate(n => n.Remove("reference"))), Does.StartWith("$: ").And.Contain("reference"));
        Assert.That(Refusal(Mutate(n => n["items"]![0]!["date"] = "yesterday")), Does.StartWith("$.items[0].date:"));
        Assert.That(Refusal(Mutate(n => n["due"] = "2026-09-01")), Does.StartWith("$.due:"));
    }

    [Test]
    public void NotJsonAndDuplicateProperties_AreRefused()
    {
        Assert.That(Refusal("{ not json"), Does.StartWith("$"));
        Assert.That(Refusal(SampleJson.Replace("\"School\": \"Oakfield Primary School\",", "\"School\": \"A\", \"School\": \"B\",", StringComparison.Ordinal)), Does.StartWith("$.items[0].fields"));
    }

    [Test]
    public void AdjacentRedactions_AreAllowed_AndApplyLeavesTheGapText()
    {
        var inlines = Redactions.Apply("abcdef", [new BundleRedaction { Field = null, Start = 0, Length = 2, Code = "TP" }, new BundleRedaction { Field = null, Start = 2, Length = 2, Code = "EDU" }]);

        Assert.That(inlines, Is.EqualTo(new Layout.Inline[] { new Layout.RedactionBox("TP"), new Layout.RedactionBox("EDU"), new Layout.TextRun("ef") }));
    }
}
