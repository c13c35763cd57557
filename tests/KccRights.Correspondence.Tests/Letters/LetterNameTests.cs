using KccRights.Correspondence.Letters;

namespace KccRights.Correspondence.Tests.Letters;

/// <summary>Issue 9, Build 8: names made safe for letters (moved from Intake's TextCleaningTests).</summary>
public class LetterNameTests
{
    [TestCase("Evil Bcc: x@y.z", "Evil")]
    [TestCase("Evil\r\nBcc: x@y.z", "Evil")]
    [TestCase("Nul\0Name Person", "Nul Name Person")]
    [TestCase("Mary-Jane O'Neill", "Mary-Jane O'Neill")]
    [TestCase("Zoë Łukasiewicz", "Zoë Łukasiewicz")]
    [TestCase("Dr. A. Smith", "Dr. A. Smith")]
    [TestCase("Ann\u202eevil\u200b Smith", "Annevil Smith")]
    [TestCase("To: someone@example.com", null)]
    [TestCase("x@y.z", null)]
    [TestCase("<script>", "script")]
    [TestCase("   ", null)]
    [TestCase(null, null)]
    public void LetterName_KeepsOnlyWhatLooksLikeAName(string? input, string? expected) =>
        Assert.That(LetterName.Clean(input), Is.EqualTo(expected));

    [Test]
    public void LetterName_TooLongForAName_GivesTheNeutralSalutation() =>
        Assert.That(LetterName.Clean(string.Concat(Enumerable.Repeat("Name ", 30))), Is.Null);
}
