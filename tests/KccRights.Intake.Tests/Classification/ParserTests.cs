using KccRights.Intake.Classification;

namespace KccRights.Intake.Tests.Classification;

public class DateOfBirthParserTests
{
    [TestCase("14/03/1997")]
    [TestCase("14.03.97")]
    [TestCase("14-03-1997")]
    [TestCase("14/3/97")]
    [TestCase("14 March 1997")]
    [TestCase("14th Mar 1997")]
    [TestCase("14th of March, 1997")]
    [TestCase("14-Mar-1997")]
    [TestCase("March 14 1997")]
    [TestCase("March 14th, 1997")]
    [TestCase("Mar. 14, 1997")]
    [TestCase("1997-03-14")]
    [TestCase("14 marca 1997")]
    [TestCase("14 Mawrth 1997")]
    [TestCase("03/14/1997")]
    public void CommonUkFormats_AllReadAsTheSameDate(string text)
    {
        Assert.That(DateOfBirthParser.TryParse(text, 2026, out var date), Is.True, text);
        Assert.That(date, Is.EqualTo(new DateOnly(1997, 3, 14)));
    }

    [TestCase("14.03.12", 2012)]
    [TestCase("4.2.04", 2004)]
    [TestCase("01/01/30", 1930)]
    public void TwoDigitYears_AreThisCenturyUpToTheReferenceYear(string text, int year)
    {
        Assert.That(DateOfBirthParser.TryParse(text, 2026, out var date), Is.True);
        Assert.That(date.Year, Is.EqualTo(year));
    }

    [TestCase("31/02/2000")]
    [TestCase("00/01/2000")]
    [TestCase("2000")]
    [TestCase("12/13/14/15")]
    public void Impossible_IsNotADate(string text) =>
        Assert.That(DateOfBirthParser.TryParse(text, 2026, out _), Is.False);

    [Test]
    public void DateOfBirth_IsTheDateAfterTheCue_NotAnyOtherDate()
    {
        const string text = "She was absent on 3 and 4 March 2026. Her date of birth: 05.01.2014.";

        var found = DateOfBirthParser.FindDateOfBirth(text, 2026, new DateOnly(2026, 11, 30));

        Assert.That(found?.Date, Is.EqualTo(new DateOnly(2014, 1, 5)));
    }

    [Test]
    public void DateOfBirth_InTheFuture_IsIgnored()
    {
        var found = DateOfBirthParser.FindDateOfBirth("DOB 01/01/2030", 2026, new DateOnly(2026, 11, 30));

        Assert.That(found, Is.Null);
    }
}

public class IdentifierTests
{
    [TestCase("U886201412001", true)]
    [TestCase("A886201412001", false)]
    [TestCase("U88620141200", false)]
    [TestCase("I886201412001", false)]
    public void Upn_CheckLetterIsVerified(string upn, bool valid) =>
        Assert.That(Upn.IsValid(upn), Is.EqualTo(valid));

    [Test]
    public void Upn_TemporaryUpnEndingInALetter_IsValidWhenItsCheckLetterIsRight()
    {
        var rest = "88620141200A";
        var upn = Upn.CheckLetter(rest) + rest;

        Assert.That(Upn.IsValid(upn), Is.True);
    }

    [Test]
    public void Upn_FindsOnlyValidOnesInText() =>
        Assert.That(Upn.Find("wrong A886201412001 right U886201412001"), Is.EqualTo("U886201412001"));

    [TestCase("CT9 1AB", "CT9 1AB")]
    [TestCase("me10 4aa", "ME10 4AA")]
    [TestCase("DA12AA", "DA1 2AA")]
    [TestCase("EC1A 1BB", "EC1A 1BB")]
    [TestCase("W1A 0AX", "W1A 0AX")]
    [TestCase("GIR 0AA", "GIR 0AA")]
    public void Postcode_IsFoundAndNormalised(string text, string expected) =>
        Assert.That(Postcode.FindAll($"lives at {text}.").Select(p => p.Value), Is.EqualTo(new[] { expected }));

    [TestCase("Q1 1AA")]
    [TestCase("CT9 1CI")]
    [TestCase("12345")]
    public void Postcode_InvalidFormats_AreNotPostcodes(string text) =>
        Assert.That(Postcode.FindAll(text), Is.Empty);
}

public class HtmlTextTests
{
    private const string Html =
        """
        <html><head><style>p{color:red}</style></head><body><p>Hello,</p><p>Please send <b>all the data</b>.</p>
        <img src="https://tracker.example.com/p.gif" width="1"><img src="http://a.example.com/x.png"><img src="cid:logo">
        <script>alert('x')</script><a href="javascript:alert(1)" onclick="evil()">link</a></body></html>
        """;

    [Test]
    public void ToText_KeepsTheWords_DropsScriptsAndStyles()
    {
        var text = HtmlText.ToText(Html);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Hello,"));
            Assert.That(text, Does.Contain("Please send all the data."));
            Assert.That(text, Does.Not.Contain("alert"));
            Assert.That(text, Does.Not.Contain("color"));
        });
    }

    [Test]
    public void Sanitise_RemovesScriptsHandlersAndRemoteImageSources()
    {
        var safe = HtmlText.Sanitise(Html);

        Assert.Multiple(() =>
        {
            Assert.That(safe, Does.Not.Contain("<script"));
            Assert.That(safe, Does.Not.Contain("onclick"));
            Assert.That(safe, Does.Not.Contain("javascript:"));
            Assert.That(safe, Does.Not.Contain("tracker.example.com"));
            Assert.That(safe, Does.Not.Contain("a.example.com"));
            Assert.That(safe, Does.Contain("cid:logo"));
            Assert.That(safe, Does.Contain("<b>all the data</b>"));
        });
    }

    [Test]
    public void HtmlOnlyExample_IsSanitisedForDisplay()
    {
        var message = MimeKit.MimeMessage.Load(Corpus.PathOf("13-html-only.eml"));

        var content = MessageContent.Read(message);

        Assert.Multiple(() =>
        {
            Assert.That(content.SafeHtml, Does.Not.Contain("tracker.example.com"));
            Assert.That(content.SafeHtml, Does.Not.Contain("script"));
            Assert.That(content.OwnText, Does.Contain("all the data"));
        });
    }
}

public class LanguageDetectorTests
{
    [TestCase("Please can I have a copy of all the information you hold about me from when I was at school.", "en")]
    [TestCase("Hoffwn wneud cais am wybodaeth. Anfonwch gopi o'r holl wybodaeth sydd gennych amdanaf os gwelwch yn dda.", "cy")]
    [TestCase("Proszę o kopię moich danych osobowych, które przetwarza Rada Hrabstwa Kent. Z poważaniem.", "pl")]
    [TestCase("Пожалуйста, пришлите мне копию всех моих персональных данных, которые у вас есть.", "und")]
    [TestCase("what info do u have on me? want all of it", "en")]
    public void Detect_NamesTheLanguage(string text, string code) =>
        Assert.That(LanguageDetector.Detect(text).Code, Is.EqualTo(code));
}
