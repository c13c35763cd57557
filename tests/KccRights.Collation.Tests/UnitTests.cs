using KccRights.Collation.Connectors;
using KccRights.Collation.Matching;

namespace KccRights.Collation.Tests;

public class UpnTests
{
    [TestCase("Q886402899112")]
    [TestCase("A886542018077")]
    [TestCase("J886540205140")]
    public void CheckLetter_OfPeopleTsvUpns_IsValid(string upn) => Assert.That(Upns.IsValid(upn), Is.True);

    [TestCase("R886402899112")]
    [TestCase("Q886402899113")]
    [TestCase("Q88640289911")]
    [TestCase("I886402899112")]
    public void CheckLetter_WhenWrongOrMalformed_IsInvalid(string upn) => Assert.That(Upns.IsValid(upn), Is.False);

    [Test]
    public void CheckLetter_IsWeightedSumModulo23()
    {
        // Characters 2-13 weighted 2..13: 8*2+8*3+6*4+4*5+0*6+2*7+8*8+9*9+9*10+1*11+1*12+2*13 = 382; 382 mod 23 = 14 -> 'Q'.
        Assert.That(Upns.CheckLetter("886402899112"), Is.EqualTo('Q'));
        Assert.That(Upns.IsValid(Upns.Make(886, 123_456_789)), Is.True);
    }

    [Test]
    public void InvalidUpnInQuery_IsIgnoredWithAReason()
    {
        var row = new PersonRow("education", "1", "Daniel", "Okafor", null, new DateOnly(1997, 3, 14), null, "Q886402899112", [], null);
        var candidate = PersonMatcher.Score(new PersonQuery("Daniel", "Okafor", DateOfBirth: new DateOnly(1997, 3, 14), Upn: "R886402899112"), row);
        Assert.That(candidate.Reasons, Does.Contain("UPN check letter invalid: UPN ignored"));
        Assert.That(candidate.Band, Is.EqualTo(PersonMatcher.Match));
    }
}

public class NicknameTests
{
    [TestCase("Tom", "Thomas")]
    [TestCase("Thomas", "Tom")]
    [TestCase("Dan", "Daniel")]
    [TestCase("Olly", "Oliver")]
    [TestCase("ollie", "OLIVER")]
    public void ShortAndFormalForms_AreVariants(string a, string b) => Assert.That(Nicknames.AreVariants(a, b), Is.True);

    [TestCase("Tom", "Tom")]
    [TestCase("Oliver", "Olivia")]
    [TestCase("Daniel", "Danielle")]
    public void EqualOrDifferentNames_AreNotVariants(string a, string b) => Assert.That(Nicknames.AreVariants(a, b), Is.False);

    [Test]
    public void Alternative_GivesTheFormalFormOfAShortName_AndTheCommonestShortFormOfAFormalName()
    {
        Assert.That(Nicknames.Alternative("Tom"), Is.EqualTo("Thomas"));
        Assert.That(Nicknames.Alternative("Thomas"), Is.EqualTo("Tom"));
        Assert.That(Nicknames.Alternative("Zebedee"), Is.Null);
    }

    [Test]
    public void ANicknameMatch_IsExplained()
    {
        var row = new PersonRow("education", "1", "Thomas", "Hadley", null, new DateOnly(2005, 4, 30), "CT1 2QD", null, [], null);
        var candidate = PersonMatcher.Score(new PersonQuery("Tom", "Hadley", DateOfBirth: new DateOnly(2005, 4, 30)), row);
        Assert.That(candidate.Reasons, Does.Contain("first name Thomas is a form of Tom"));
        Assert.That(candidate.Band, Is.EqualTo(PersonMatcher.Match));
    }
}

public class TrigramTests
{
    [TestCase("Clarke", "Clark")]
    [TestCase("Anika", "Annika")]
    [TestCase("Oliver", "Olivia")]
    [TestCase("Begum", "Begum")]
    [TestCase("Mensah", "Okafor")]
    [TestCase("O'Brien", "OBrien")]
    public async Task Similarity_IsThatOfPgTrgm(string a, string b)
    {
        var demo = await DemoSystems.GetAsync();
        await using var command = demo.DataSource.CreateCommand("SELECT similarity($1, $2)");
        command.Parameters.AddWithValue(a);
        command.Parameters.AddWithValue(b);
        var database = Convert.ToDouble(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Trigrams.Similarity(a, b), Is.EqualTo(database).Within(0.0001));
    }
}
