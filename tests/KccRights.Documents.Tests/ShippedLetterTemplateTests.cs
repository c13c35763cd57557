using Fluid;
using KccRights.Documents.Letters;

namespace KccRights.Documents.Tests;

/// <summary>
/// Issue 12 item 5: the letters the workflows send (every template Correspondence ships: each letter and reminder has
/// its own since issue 14 item 5, there is no default letter, and the acknowledgement) render to PDF through the same
/// layout, for post and for the case file. Each template is rendered as Correspondence renders it, then laid out.
/// </summary>
public class ShippedLetterTemplateTests
{
    private static readonly FluidParser Parser = new();

    private static string TemplatesFolder => Path.Combine(AppContext.BaseDirectory, "templates");

    public static IEnumerable<string> Templates() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "templates", "letters"), "*.liquid")
            .Append(Path.Combine(AppContext.BaseDirectory, "templates", "acknowledgement.liquid"))
            .Select(Path.GetFileName)
            .Select(name => name!);

    [Test]
    public void EveryLetterTheWorkflowsSend_IsShippedBesideTheExecutable()
    {
        Assert.That(Templates(), Is.SupersetOf(new[] { "send-id-request.liquid", "send-clarification-request.liquid", "send-extension-notice.liquid", "send-response.access.liquid", "send-response.complaint.liquid", "acknowledgement.liquid" }));
        Assert.That(Templates(), Does.Not.Contain("default.liquid"), "no letter falls back to a generic one (issue 14 item 5)");
    }

    [TestCaseSource(nameof(Templates))]
    public async Task ShippedTemplate_RendersThroughTheLayout_ToASelectablePdf(string name)
    {
        var path = File.Exists(Path.Combine(TemplatesFolder, "letters", name)) ? Path.Combine(TemplatesFolder, "letters", name) : Path.Combine(TemplatesFolder, name);
        Assert.That(Parser.TryParse(await File.ReadAllTextAsync(path), out var template, out var error), Is.True, error);
        var context = new TemplateContext();
        foreach (var (key, value) in new Dictionary<string, object?>
        {
            ["reference"] = "KCC-SAR-2026-000042",
            ["right"] = "access",
            ["right_id"] = "access",
            ["right_title"] = "access to personal data",
            ["case_kind"] = "subject access request",
            ["recipient_kind"] = "requester",
            ["requester_name"] = "Sarah Whitlock",
            ["received_on"] = "Thursday 3 December 2026",
            ["sent_on"] = "Wednesday 2 December 2026",
            ["notice_by"] = "Monday 4 January 2027",
            ["acknowledge_by"] = "Monday 4 January 2027",
            ["due_on"] = "Monday 4 January 2027",
            ["original_due_on"] = "Monday 4 January 2027",
            ["extended"] = true,
            ["extension_reason"] = "The records are held in several systems and include social care files.",
            ["template"] = Path.GetFileNameWithoutExtension(name),
        })
        {
            context.SetValue(key, value);
        }

        var rendered = await template!.RenderAsync(context);
        var (subject, body) = Letter.SplitSubject(rendered);
        var pdf = LetterWriter.Render(new Letter
        {
            Reference = "KCC-SAR-2026-000042",
            Date = new DateOnly(2026, 12, 2),
            RecipientName = "Sarah Whitlock",
            AddressLines = ["12 Orchard Way", "Canterbury", "CT1 2AB"],
            Subject = subject.Length > 0 ? subject : "Your request KCC-SAR-2026-000042",
            Body = body,
        });

        var text = string.Join("\n", PdfInspection.PageTexts(pdf));
        var firstWords = string.Join(' ', body.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Take(4));
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("KCC-SAR-2026-000042"), "the reference is in the letter");
            Assert.That(text, Does.Contain("Sarah Whitlock"), "the recipient is named");
            Assert.That(text, Does.Contain(firstWords), "the body's opening words are selectable text");
            Assert.That(text, Does.Contain("OFFICIAL-SENSITIVE"));
            Assert.That(text, Does.Match(@"Page \d+ of \d+"));
            Assert.That(text, Does.Not.Contain("{{"), "no Liquid left unrendered");
        });
    }
}
