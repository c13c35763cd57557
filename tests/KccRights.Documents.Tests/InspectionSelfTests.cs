using KccRights.Documents.Layout;

namespace KccRights.Documents.Tests;

/// <summary>The leak checks must be able to fail: a string put where it must never be is found.</summary>
public class InspectionSelfTests
{
    [Test]
    public void LeakChecks_FindAStringInTheTextAndInTheMetadata()
    {
        using var composer = new PdfComposer(new DocumentSettings { Reference = "R-1", Title = "Leaky Title Zanzibar" });
        composer.Paragraph("Visible Quokka here");
        using var stream = new MemoryStream();
        composer.Save(stream);
        var pdf = stream.ToArray();

        Assert.That(PdfInspection.AllText(pdf), Does.Contain("Quokka"));
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(pdf), "Zanzibar"), Is.True);
        Assert.That(PdfInspection.InflatedStreams(pdf), Is.Not.Empty);
    }
}
