using KccRights.Domain.Text;
using System.Text;
using KccRights.Intake.Triage;
using KccRights.Host.Web.Security;

namespace KccRights.Host.Tests;

/// <summary>Issue 9, Build 2: NUL and other control characters are found and removed at the web boundary.</summary>
public class InputCleaningTests
{
    [TestCase("Nul\0Name", "NulName")]
    [TestCase("bell\u0007 and DEL\u007f and C1\u0085", "bell and DEL and C1")]
    [TestCase("line one\r\nline two\tindented", "line one\r\nline two\tindented")]
    [TestCase("plain text, café", "plain text, café")]
    public void Clean_RemovesControlCharacters_KeepingTabAndNewlines(string input, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(PlainText.Clean(input), Is.EqualTo(expected));
            Assert.That(PlainText.HasUnwanted(input), Is.EqualTo(input != expected));
        });
    }

    [Test]
    public void OneLine_MakesOneLineOfText_WithoutNul()
    {
        Assert.That(PlainText.OneLine("Evil\0 Name\r\nBcc: x@y.z"), Is.EqualTo("Evil Name  Bcc: x@y.z"));
    }

    [TestCase("invoice\u202Efdp.exe", "invoice\uFFFDfdp.exe")]
    [TestCase("a\u202Ab\u202Bc\u202Cd\u202De", "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe")]
    [TestCase("x\u2066y\u2067z\u2068w\u2069", "x\uFFFDy\uFFFDz\uFFFDw\uFFFD")]
    [TestCase("\u0645\u062D\u0645\u062F Khan", "\u0645\u062D\u0645\u062F Khan")]
    public void OneLine_ShowsBidiOverridesAsAReplacementCharacter_AndKeepsRightToLeftLetters(string input, string expected)
    {
        Assert.That(PlainText.OneLine(input), Is.EqualTo(expected));
    }

    [TestCase("""{"requesterName":"Nul\u0000Name"}""", "requesterName")]
    [TestCase("""{"a":{"b":["ok","bell\u0007"]}}""", "b")]
    [TestCase("""{"nul\u0000key":1}""", "member name")]
    public void FindInJson_NamesTheMemberWithAControlCharacter(string json, string named)
    {
        Assert.That(InputCleaning.FindInJson(Encoding.UTF8.GetBytes(json)), Does.Contain(named));
    }

    [TestCase("""{"summary":"two\nlines\tand a tab","n":5}""")]
    [TestCase("""not json at all""")]
    [TestCase("""{"unterminated": "x""")]
    public void FindInJson_AcceptsCleanOrUnparseableJson(string json)
    {
        // Unparseable JSON is left to the endpoint, which says what is wrong with it.
        Assert.That(InputCleaning.FindInJson(Encoding.UTF8.GetBytes(json)), Is.Null);
    }

    [Test]
    public void TriageSender_FromANulDisplayName_IsCleaned()
    {
        // The email from issue 9, item 2: a NUL in the encoded display name.
        var raw = Encoding.ASCII.GetBytes(
            "From: =?utf-8?B?TnVsAE5hbWUgUGVyc29u?= <nul.name@example.com>\r\nTo: dp@kent.gov.uk\r\nSubject: My data\u0007 please\r\n" +
            "Message-ID: <nul@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nPlease send me my records.\r\n");

        var sender = TriageInbox.ReadSender(raw);

        Assert.Multiple(() =>
        {
            Assert.That(sender.Readable, Is.True);
            Assert.That(sender.Name, Is.EqualTo("NulName Person"));
            Assert.That(sender.Address, Is.EqualTo("nul.name@example.com"));
            Assert.That(sender.Subject, Is.EqualTo("My data  please"));
        });
    }

    [Test]
    public void TriageItem_Reasons_AreReadableSentences()
    {
        var item = new TriageItem { Reasons = """["low confidence", "written in Welsh"]""", ReasonKind = "imap-unservable", Detail = "fetch timed out\0" };
        var odd = new TriageItem { Reasons = """{"error":"22021","attempts":5}""" };

        Assert.Multiple(() =>
        {
            Assert.That(item.ReasonList, Is.EqualTo(new[] { "low confidence", "written in Welsh" }));
            Assert.That(item.KindLabel, Is.EqualTo("The mail server could not hand it over"));
            Assert.That(item.TechnicalDetail, Is.EqualTo("fetch timed out"));
            Assert.That(odd.KindLabel, Is.EqualTo("Intake could not tell what to do with it"));
            Assert.That(odd.ReasonList, Is.EqualTo(new[] { "error: 22021", "attempts: 5" }));
        });
    }
}
