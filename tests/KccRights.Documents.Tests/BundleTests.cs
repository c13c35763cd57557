using System.Text.Json;
using KccRights.Documents.Bundles;
using UglyToad.PdfPig;
using static KccRights.Documents.Tests.BundleFixtures;

namespace KccRights.Documents.Tests;

public class BundleTests
{
    /// <summary>Every way a redacted string could survive in a file: the text layer, any stream, metadata, annotations.</summary>
    private static void AssertGone(byte[] pdf, params string[] secrets)
    {
        var text = PdfInspection.AllText(pdf);
        var bytes = PdfInspection.RawAndInflated(pdf);
        using var document = PdfDocument.Open(pdf);
        var metadata = string.Join("\n", document.Information.DocumentInformationDictionary!.Data.Values.Select(v => v.ToString()));
        if (document.TryGetXmpMetadata(out var xmp))
        {
            metadata += System.Text.Encoding.UTF8.GetString(xmp.GetXmlBytes().ToArray());
        }

        var annotations = string.Join("\n", document.GetPages().SelectMany(p => p.GetAnnotations()).Select(a => a.Content + a.Name));
        foreach (var secret in secrets)
        {
            Assert.That(text, Does.Not.Contain(secret), $"'{secret}' is in the extracted text");
            Assert.That(PdfInspection.ContainsAnyEncoding(bytes, secret), Is.False, $"'{secret}' is in the file's bytes or a decompressed stream");
            Assert.That(metadata, Does.Not.Contain(secret), $"'{secret}' is in the metadata");
            Assert.That(annotations, Does.Not.Contain(secret), $"'{secret}' is in an annotation");
        }
    }

    private static void AssertPresent(byte[] pdf, params string[] disclosed)
    {
        var text = PdfInspection.AllText(pdf);
        foreach (var s in disclosed)
        {
            Assert.That(text, Does.Contain(PdfInspection.Normalise(s)), $"'{s}' is missing from the extracted text");
        }
    }

    [Test]
    public void Sample_DisclosesEveryUnredactedString_AndNoRedactedOne()
    {
        var input = BundleParser.Parse(SampleJson, Register);

        var result = BundleRenderer.Render(input, Register, Options);

        AssertPresent(result.Pdf,
            "Dear Ms Kelly Example,", "Attendance fell to 82% in the spring term.", "has been walking Sam to school on Mondays.",
            "Oakfield Primary School", "164 of 200", "[Redacted: TP]", "Grandmother [Redacted: TP] provides after-school care.",
            "Sam, mother, [Redacted: TP]", "Offered first preference", "Hillview Primary School");
        AssertGone(result.Pdf, "Jane Harlow", "14 Elm Road", "Oliver Grant", "Rose Ellis", "maternal grandmother");
        // The byte check has teeth: disclosed Latin text is written literally into the (inflated) content streams.
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(result.Pdf), "has been walking Sam to school"), Is.True);
    }

    [Test]
    public void Sample_WithheldItemIsNotShown_AndItsExemptionIsStatedInGeneralTerms()
    {
        var input = BundleParser.Parse(SampleJson, Register);

        var result = BundleRenderer.Render(input, Register, Options);

        var text = PdfInspection.AllText(result.Pdf);
        Assert.That(text, Does.Not.Contain("Referral from police").And.Not.Contain("ongoing investigation").And.Not.Contain("SC-REF-301"));
        Assert.That(text, Does.Contain("prejudice the prevention or detection of crime"));
        Assert.That(text, Does.Contain("Information we have not given you"));
        Assert.That(result.ItemPages.Keys, Does.Not.Contain("SC-REF-301"));
    }

    [Test]
    public void Sample_PageXOfYIsRightOnTheLastPage_AndTheScheduleNamesTheRightPages()
    {
        var input = BundleParser.Parse(SampleJson, Register);

        var result = BundleRenderer.Render(input, Register, Options);

        var pages = PdfInspection.PageTexts(result.Pdf);
        Assert.That(pages, Has.Length.EqualTo(result.PageCount));
        Assert.That(pages[^1], Does.Contain($"Page {pages.Length} of {pages.Length}"));
        // Golden: the page each item starts on (fails when the layout of the preceding sections changes).
        Assert.That(result.ItemPages, Is.EqualTo(new Dictionary<string, int>
        {
            ["EDU-ATT-2025-001"] = 5, ["EDU-INC-2025-014"] = 5, ["EH-NOTE-77"] = 6, ["ADM-APP-2021"] = 7,
        }));
        foreach (var (id, page) in result.ItemPages)
        {
            var title = input.Items.Single(i => i.Id == id).Title;
            Assert.That(pages[page - 1], Does.Contain(title), $"{id} is not on page {page}");
        }

        var schedule = pages.Single(p => p.Contains("Schedule of records disclosed", StringComparison.Ordinal));
        Assert.That(schedule, Does.Contain("Attendance review, spring term 5"));
        Assert.That(schedule, Does.Contain("Primary school application 7"));
    }

    [Test]
    public void Sample_HasOutlinePerSystemAndItem_AndTitleWithoutPersonalData()
    {
        var input = BundleParser.Parse(SampleJson, Register);

        var pdf = BundleRenderer.Render(input, Register, Options).Pdf;

        using var document = PdfDocument.Open(pdf);
        Assert.That(document.Information.Title, Is.EqualTo("Response to subject access request SAR-2026-00042"));
        Assert.That(document.TryGetBookmarks(out var bookmarks), Is.True);
        var education = bookmarks!.Roots.Single(b => b.Title == "Records from Education");
        Assert.That(education.Children.Select(c => c.Title), Is.EqualTo(new[] { "1. Attendance review, spring term", "2. Playground incident" }));
        Assert.That(bookmarks.Roots.Select(b => b.Title), Does.Contain("Records from Early Help").And.Contain("Records from Admissions").And.Not.Contain("Records from Children's Social Work"));
    }

    [Test]
    public void Sample_Article15SectionComesFromTheRegister()
    {
        var input = BundleParser.Parse(SampleJson, Register);

        var text = PdfInspection.AllText(BundleRenderer.Render(input, Register, Options).Pdf);

        Assert.That(text, Does.Contain("UK GDPR Article 6(1)(c) (legal obligation)"));
        Assert.That(text, Does.Contain("until they reach the age of 25"));
        Assert.That(text, Does.Contain("The Department for Education"));
        Assert.That(text, Does.Contain("Information Commissioner's Office"));
        Assert.That(text, Does.Contain("Article 16").And.Contain("Article 17").And.Contain("Article 18").And.Contain("Article 21"));
        Assert.That(text, Does.Contain("solely on automated processing"));
    }

    [Test]
    public void HostileInput_RendersEveryDisclosedPart_AndNothingRedacted()
    {
        var longWord = string.Concat(Enumerable.Repeat("Pneumonoultramicroscopic", 30));
        var greek = "Η μητέρα ανέφερε ότι ο γείτονας Κώστας Παπαδόπουλος βοήθησε.";
        var atEnd = "The report was written by Dr Secretend";
        var acrossLine = "First line mentions Mary\nAnn Hiddenname and continues here.";
        var adjacent = "CodeAlphaCodeBravo visible";
        var fields = new Dictionary<string, string> { ["Whole"] = "Wholly Secret Value", ["Кириллица"] = "Значение поля" };
        var input = Input(
            Item("long", $"Start {longWord} end of long word."),
            Item("empty", ""),
            Item("greek", greek, redactions: [Redact(greek, "Κώστας Παπαδόπουλος")]),
            Item("end", atEnd, redactions: [Redact(atEnd, "Dr Secretend")]),
            Item("across", acrossLine, redactions: [Redact(acrossLine, "Mary\nAnn Hiddenname", "TP-PRO")]),
            Item("adjacent", adjacent, redactions: [Redact(adjacent, "CodeAlpha"), Redact(adjacent, "CodeBravo", "NOT-PD")]),
            Item("fields", "Text of the fields item.", fields, redactions: [Redact("Wholly Secret Value", "Wholly Secret Value", field: "Whole")]),
            Item("withheld", "Withheld secret text Zebedee", withheld: new BundleWithheld { Code = "LPP", Note = "legal advice" }, title: "Legal advice Zebedee"));

        BundleParser.Validate(input, Register);
        var pdf = BundleRenderer.Render(input, Register, Options).Pdf;

        AssertPresent(pdf, "Start", "end of long word.", "Η μητέρα ανέφερε ότι ο γείτονας [Redacted: TP] βοήθησε.",
            "The report was written by [Redacted: TP]", "First line mentions [Redacted: TP-PRO] and continues here.",
            "[Redacted: TP] [Redacted: NOT-PD] visible", "Значение поля", "Кириллица", "(This record has no further text.)");
        Assert.That(PdfInspection.AllText(pdf).Replace(" ", "", StringComparison.Ordinal), Does.Contain(longWord));
        AssertGone(pdf, "Κώστας", "Παπαδόπουλος", "Secretend", "Hiddenname", "Mary", "CodeAlpha", "CodeBravo", "Wholly Secret", "Zebedee", "Withheld secret");
    }

    [Test]
    public void RedactionLog_ListsEveryRedactionAndWithheldItem_AsCsv()
    {
        var input = BundleParser.Parse(SampleJson, Register);

        var log = BundleRenderer.RedactionLog(input).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(log, Is.EqualTo(new[]
        {
            "item,location,start,length,code,action,note",
            "EDU-ATT-2025-001,text,78,30,TP,redacted,Neighbour: no consent; not reasonable to disclose",
            "EDU-INC-2025-014,text,58,12,TP,redacted,Other pupil",
            "EH-NOTE-77,field:Family members present,13,31,TP,redacted,Grandmother declined consent",
            "EH-NOTE-77,text,60,10,TP,redacted,Grandmother declined consent",
            "SC-REF-301,whole item,,,CRIME,withheld,Police asked us to withhold while the investigation is open",
        }));
    }

    [Test]
    public void ItemSpanningSeveralPages_KeepsEveryPageNumbered_AndShowsItsRedactionBoxes()
    {
        var paragraphs = Enumerable.Range(1, 400).Select(i => $"Line {i} of a very long chronology, seen by Secretperson{i % 7} today.").ToList();
        var text = string.Join("\n", paragraphs);
        var redactions = Enumerable.Range(0, 7).Select(k => Redact(text, $"Secretperson{k} ")).ToList();
        var input = Input(Item("chronology", text, redactions: redactions));

        var result = BundleRenderer.Render(input, Register, Options);

        var pages = PdfInspection.PageTexts(result.Pdf);
        Assert.That(pages.Length, Is.GreaterThan(8));
        for (var i = 0; i < pages.Length; i++)
        {
            Assert.That(pages[i], Does.Contain($"Page {i + 1} of {pages.Length}"));
        }

        AssertPresent(result.Pdf, "Line 1 of a very long chronology", "Line 400 of a very long chronology");
        Assert.That(PdfInspection.AllText(result.Pdf), Does.Contain("[Redacted: TP]"));
        // Only the first occurrence of each name was redacted: the others are disclosed, so the check below can fail.
        Assert.That(PdfInspection.AllText(result.Pdf), Does.Contain("Secretperson1"));
        var firstLines = Enumerable.Range(1, 7).Select(i => $"Line {i} of a very long chronology, seen by [Redacted: TP] today.").ToArray();
        AssertPresent(result.Pdf, firstLines);
    }

    [Test]
    public void RedactionLog_DefusesSpreadsheetFormulasAndQuotesCommas()
    {
        var text = "abc def";
        var input = Input(Item("x,1", text, redactions: [new BundleRedaction { Field = null, Start = 0, Length = 3, Code = "TP", Note = "=HYPERLINK(\"http://evil\")" }]));

        var log = BundleRenderer.RedactionLog(input).Split('\n')[1];

        Assert.That(log, Is.EqualTo("\"x,1\",text,0,3,TP,redacted,\"'=HYPERLINK(\"\"http://evil\"\")\""));
    }

    [Test]
    public void NoDisclosedItems_StillRendersLetterArticle15AndAnEmptySchedule()
    {
        var input = Input(Item("w", "secret Quux", withheld: new BundleWithheld { Code = "CRIME" }));

        var pdf = BundleRenderer.Render(input, Register, Options).Pdf;

        AssertPresent(pdf, "There are no records to disclose.", "We have no records that we can give you.");
        AssertGone(pdf, "Quux");
    }

    [Test]
    public void ThousandItems_ScheduleSpansPages_AndEveryPageNumberIsRight()
    {
        var items = Enumerable.Range(1, 300).Select(i => Item($"I{i:D4}", $"Record number {i}. " + string.Join(" ", Enumerable.Repeat("Some ordinary words of a note.", i % 17)),
            dataset: i % 2 == 0 ? "attendance" : "pupils", title: $"Note {i:D4}")).ToArray();
        var input = Input(items);

        var result = BundleRenderer.Render(input, Register, Options);

        var pages = PdfInspection.PageTexts(result.Pdf);
        Assert.That(pages[^1], Does.Contain($"Page {pages.Length} of {pages.Length}"));
        foreach (var (id, page) in result.ItemPages)
        {
            Assert.That(pages[page - 1], Does.Contain($"Note {id[1..]}"), $"{id} is not on page {page}");
        }

        Assert.That(pages.Count(p => p.Contains("No. Date Source Record Page", StringComparison.Ordinal)), Is.GreaterThan(1), "the schedule's header row repeats");
    }

    [Test]
    public void CommittedSampleAndRegister_ValidateAgainstTheirSchemas()
    {
        var bundleSchema = Json.Schema.JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "KccRights.Documents", "bundle.schema.json")));
        var registerSchema = Json.Schema.JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryRoot(), "register", "register-of-processing.schema.json")));
        var options = new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List };

        var sample = bundleSchema.Evaluate(JsonDocument.Parse(SampleJson).RootElement, options);
        var register = registerSchema.Evaluate(JsonDocument.Parse(File.ReadAllText(RegisterFile.DefaultPath)).RootElement, options);

        Assert.That(sample.IsValid, Is.True, JsonSerializer.Serialize(sample));
        Assert.That(register.IsValid, Is.True, JsonSerializer.Serialize(register));
    }

    [Test]
    public void CommittedSchema_EqualsTheGeneratedOne()
    {
        var committed = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "KccRights.Documents", "bundle.schema.json"));

        Assert.That(committed, Is.EqualTo(BundleJson.Schema()), "regenerate with: kccrights bundle --schema > src/KccRights.Documents/bundle.schema.json");
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KccRights.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("KccRights.sln not found above the test folder.");
    }
}
