using KccRights.Documents.Letters;
using KccRights.Documents.Security;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace KccRights.Documents.Tests;

public class EncryptionTests
{
    private static byte[] Plain() => LetterWriter.Render(LetterTests.Sample);

    [Test]
    public void EncryptedPdf_OpensOnlyWithItsPassword()
    {
        var encrypted = PdfEncryption.Encrypt(Plain());

        Assert.That(encrypted.Password, Has.Length.EqualTo(20));
        Assert.That(() => PdfDocument.Open(encrypted.Pdf), Throws.InstanceOf<PdfDocumentEncryptedException>());
        Assert.That(() => PdfDocument.Open(encrypted.Pdf, new ParsingOptions { Password = "wrong-password-123" }), Throws.InstanceOf<PdfDocumentEncryptedException>());
        using var opened = PdfDocument.Open(encrypted.Pdf, new ParsingOptions { Password = encrypted.Password });
        Assert.That(string.Join(" ", opened.GetPage(1).GetWords().Select(w => w.Text)), Does.Contain("Dear"));
    }

    [Test]
    public void EncryptedPdf_UsesAes256_AndHidesTheTextFromTheBytes()
    {
        var encrypted = PdfEncryption.Encrypt(Plain(), "correct horse battery staple");

        var raw = System.Text.Encoding.Latin1.GetString(encrypted.Pdf);
        Assert.That(raw, Does.Contain("/AESV3"));
        Assert.That(raw, Does.Match(@"/V\s*5"));
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(encrypted.Pdf), "Letter SAR-2026-00007"), Is.False, "the title is encrypted too");
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(Plain()), "Letter SAR-2026-00007"), Is.True, "the check can fail");
    }

    [Test]
    public void GeneratedPasswords_Differ_AndShortOnesAreRefused()
    {
        var first = PdfEncryption.GeneratePassword();
        var second = PdfEncryption.GeneratePassword();
        Assert.That(first, Is.Not.EqualTo(second));
        Assert.That(() => PdfEncryption.Encrypt(Plain(), "short"), Throws.ArgumentException);
    }
}

public class LetterTests
{
    /// <summary>A fixed extension notice as the workflow's template renders it (hard-wrapped, with a sign-off block).</summary>
    public static Letter Sample => new()
    {
        Reference = "SAR-2026-00007",
        Date = new DateOnly(2026, 11, 3),
        RecipientName = "Mr Tomasz Wiśniewski",
        AddressLines = ["Flat 2", "7 Harbour Street", "Whitstable", "CT5 1AH"],
        Subject = "Your request SAR-2026-00007: we need more time",
        Body = """
            Dear Mr Tomasz Wiśniewski,

            We are writing about your request SAR-2026-00007. We need to extend the time limit by two further months, as UK GDPR
            Article 12(3) allows when requests are complex or numerous. We will now respond by 3 February 2027 (it was 3 December 2026).

            What happens next:
            - we search the social care records,
            - we check them with the teams that hold them.

            Kent County Council
            Information Resilience and Transparency team
            data.protection@kent.gov.uk
            """,
    };

    [Test]
    public void Letter_RendersAddressSubjectAndBody_OnOnePage()
    {
        var pdf = LetterWriter.Render(Sample);

        var pages = PdfInspection.PageTexts(pdf);
        Assert.That(pages, Has.Length.EqualTo(1));
        Assert.That(pages[0], Does.Contain("Mr Tomasz Wiśniewski Flat 2 7 Harbour Street Whitstable CT5 1AH"));
        Assert.That(pages[0], Does.Contain("3 November 2026"));
        Assert.That(pages[0], Does.Contain("Your request SAR-2026-00007: we need more time"));
        Assert.That(pages[0], Does.Contain("as UK GDPR Article 12(3) allows when requests are complex or numerous."));
        Assert.That(pages[0], Does.Contain("Page 1 of 1"));
        Assert.That(pages[0], Does.Contain("OFFICIAL-SENSITIVE"));
    }

    [Test]
    public void LetterBody_JoinsWrappedLines_KeepsShortOnes_AndMakesListItems()
    {
        var blocks = LetterBody.Blocks(Sample.Body);

        Assert.That(blocks, Is.EqualTo(new[]
        {
            new LetterBlock("Dear Mr Tomasz Wiśniewski,", false),
            new LetterBlock("We are writing about your request SAR-2026-00007. We need to extend the time limit by two further months, as UK GDPR Article 12(3) allows when requests are complex or numerous. We will now respond by 3 February 2027 (it was 3 December 2026).", false),
            new LetterBlock("What happens next:", false),
            new LetterBlock("we search the social care records,", true),
            new LetterBlock("we check them with the teams that hold them.", true),
            new LetterBlock("Kent County Council\nInformation Resilience and Transparency team\ndata.protection@kent.gov.uk", false),
        }));
    }

    [Test]
    public void RenderedTemplateText_SplitsIntoSubjectAndBody()
    {
        var (subject, body) = Letter.SplitSubject("Subject: Your request R-1\r\nDear X,\n\nText.");

        Assert.That(subject, Is.EqualTo("Your request R-1"));
        Assert.That(body, Is.EqualTo("Dear X,\n\nText."));
    }

    [Test]
    public void LongLetter_FlowsOntoMorePages_WithPageXOfY()
    {
        var letter = Sample with { Body = string.Join("\n\n", Enumerable.Repeat("A paragraph of a refusal notice that explains the reasons at some length and cites the law.", 80)) };

        var pages = PdfInspection.PageTexts(LetterWriter.Render(letter));

        Assert.That(pages.Length, Is.GreaterThan(1));
        Assert.That(pages[^1], Does.Contain($"Page {pages.Length} of {pages.Length}"));
    }
}
