using KccRights.Correspondence.Acknowledgements;

namespace KccRights.Correspondence.Tests.Acknowledgements;

public class AcknowledgementTemplateTests
{
    private static Dictionary<string, object?> Model(string rightId, string relationship, bool askForId, params (string Reference, string Title)[] linked) => new(StringComparer.Ordinal)
    {
        ["reference"] = "KCC-SAR-2026-000042",
        ["right_id"] = rightId,
        ["right_title"] = "access to personal data",
        ["provision"] = "UK GDPR Art 15",
        ["received_on"] = "2 March 2026",
        ["due_on"] = "Thursday 2 April 2026",
        ["requester_name"] = "Sarah Whitlock",
        ["subject_name"] = "Oliver Whitlock",
        ["relationship"] = relationship,
        ["agent_reference"] = null,
        ["ask_for_id"] = askForId,
        ["linked"] = linked.Select(l => new Dictionary<string, object?>(StringComparer.Ordinal) { ["reference"] = l.Reference, ["right_title"] = l.Title }).ToList(),
    };

    [Test]
    public async Task ShippedTemplate_RendersSubjectReferenceDatesAndNextSteps()
    {
        var templates = new AcknowledgementTemplates();

        var (subject, body) = await templates.RenderAsync(Model("access", "child", askForId: true, ("KCC-ERA-2026-000001", "erasure of personal data")));
        await TestContext.Out.WriteLineAsync(subject + "\n\n" + body);

        Assert.Multiple(() =>
        {
            Assert.That(subject, Is.EqualTo("Your request KCC-SAR-2026-000042 - we have received it"));
            Assert.That(body, Does.StartWith("Dear Sarah Whitlock,"));
            Assert.That(body, Does.Contain("We received it on 2 March 2026"));
            Assert.That(body, Does.Contain("We will respond by Thursday 2 April 2026"));
            Assert.That(body, Does.Contain("- erasure of personal data: reference KCC-ERA-2026-000001"));
            Assert.That(body, Does.Contain("information about Oliver Whitlock"));
            Assert.That(body, Does.Contain("proof of your parental responsibility"));
            Assert.That(body, Does.Not.Contain("\n\n\n"));
            Assert.That(body, Does.Not.Contain("{{").And.Not.Contain("{%"));
        });
    }

    [Test]
    public async Task NoIdAsked_NoLinkedCases_LeavesThoseSectionsOut()
    {
        var (_, body) = await new AcknowledgementTemplates().RenderAsync(Model("erasure", "self", askForId: false));

        Assert.Multiple(() =>
        {
            Assert.That(body, Does.Not.Contain("Proof we need"));
            Assert.That(body, Does.Not.Contain("also asked for"));
            Assert.That(body, Does.Contain("whether the law requires us to keep it"));
        });
    }

    [Test]
    public void BrokenTemplate_IsRefusedAtStart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "kcc-tpl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, AcknowledgementTemplates.FileName), "Subject: {{ reference \n{% if %}");

            Assert.That(() => new AcknowledgementTemplates(directory), Throws.InvalidOperationException.With.Message.Contains("not valid Liquid"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
