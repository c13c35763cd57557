using KccRights.Correspondence.Letters;
using KccRights.Domain.Text;

namespace KccRights.Intake.Tests.Hardening;

/// <summary>Issue 9, item 2 and Build 8: control characters cleaned at the boundary (names for letters: LetterNameTests).</summary>
public class TextCleaningTests
{
    [TestCase("Nul\0Name Person", "Nul Name Person")]
    [TestCase("Evil\r\nBcc: x@y.z", "Evil Bcc: x@y.z")]
    [TestCase("plain name", "plain name")]
    public void Line_ReplacesEveryControlCharacter_AndFoldsSpaces(string input, string expected) =>
        Assert.That(TextCleaner.Line(input), Is.EqualTo(expected));

    // Control characters in a test case's arguments would be dropped from the test's name by the runner: so, by hand.
    [Test]
    public void Line_ReplacesTabsEscapesAndC1Controls_AndALineOfControlsIsEmpty()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TextCleaner.Line("  tab\there\u0085and\u001b[31mred  "), Is.EqualTo("tab here and [31mred"));
            Assert.That(TextCleaner.Line("\u0001\u0002"), Is.Empty);
            Assert.That(LetterName.Clean("\u0001\u0002"), Is.Null);
        });
    }

    [Test]
    public void Body_KeepsTabsAndLineBreaks_ButNotNulOrEscapes()
    {
        var cleaned = TextCleaner.Body("line one\r\n\tline\0two\u0007\n");
        Assert.That(cleaned, Is.EqualTo("line one\r\n\tline two \n"));
    }

    [Test]
    public void UnpairedSurrogates_BecomeReplacementCharacters_PairsAreKept()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TextCleaner.Body("a\ud800b"), Is.EqualTo("a\ufffdb"));
            Assert.That(TextCleaner.Body("smile \ud83d\ude00"), Is.EqualTo("smile \ud83d\ude00"));
        });
    }
}
