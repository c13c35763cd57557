using System.Security.Cryptography;
using KccRights.Cases;
using KccRights.Infrastructure.Encryption;

namespace KccRights.Cases.Tests.Search;

/// <summary>How names, emails and dates are normalised and hashed for the case search (ADR 0007).</summary>
public class SearchTextTests
{
    [TestCase("John Smith", new[] { "john", "smith" })]
    [TestCase("  Mrs ZOË  O'Brien-Smith ", new[] { "zoe", "obrien", "smith" })]
    [TestCase("José Müller", new[] { "jose", "muller" })]
    [TestCase("Łukasz Straße", new[] { "lukasz", "strasse" })]
    [TestCase("J. Smith", new[] { "j", "smith" })]
    [TestCase("", new string[0])]
    public void NameWords_AreNormalised(string name, string[] expected) =>
        Assert.That(SearchText.NameWords(name), Is.EqualTo(expected));

    [Test]
    public void Trigrams_ArePaddedAtBothEnds() =>
        Assert.That(SearchText.Trigrams("jon"), Is.EqualTo(new[] { " jo", "jon", "on " }));

    [TestCase("smith", "S530")]
    [TestCase("smyth", "S530")]
    [TestCase("john", "J500")]
    [TestCase("jon", "J500")]
    [TestCase("catherine", "K365")]
    [TestCase("kathryn", "K365")]
    [TestCase("philips", "F412")]
    [TestCase("ashcraft", "A261")]
    [TestCase("tymczak", "T522")]
    [TestCase("knight", "N230")]
    public void Phonetic_IsSoundexWithTheFirstSoundSpelt(string word, string code) =>
        Assert.That(SearchText.Phonetic(word), Is.EqualTo(code));

    [TestCase("jon", "john", 1)]
    [TestCase("smyth", "smith", 1)]
    [TestCase("ca", "ac", 1)]
    [TestCase("kitten", "sitting", 3)]
    public void Distance_CountsEditsAndSwaps(string a, string b, int distance) =>
        Assert.That(SearchText.Distance(a, b), Is.EqualTo(distance));

    [TestCase("jon", "john", true)]
    [TestCase("smyth", "smith", true)]
    [TestCase("kathryn", "catherine", true)]
    [TestCase("jon", "jane", false)]
    [TestCase("smith", "jones", false)]
    [TestCase("j", "john", true)]
    [TestCase("j", "smith", false)]
    public void Closeness_FindsMisspellingsButNotOtherNames(string searched, string name, bool close) =>
        Assert.That(SearchText.Closeness(searched, name) is not null, Is.EqualTo(close));

    [TestCase(" <Parent@Example.ORG> ", "parent@example.org")]
    [TestCase("mailto:a@b.uk", "a@b.uk")]
    [TestCase("not-an-email", null)]
    public void Email_IsTrimmedAndLowerCased(string input, string? expected) =>
        Assert.That(SearchText.Email(input), Is.EqualTo(expected));

    [Test]
    public void Parse_SeparatesReferenceEmailDatesAndNames()
    {
        var input = SearchInput.Parse("Jon Smyth parent@example.org 9/3/2012 KCC-SAR-2026-123");

        Assert.Multiple(() =>
        {
            Assert.That(input.NameWords, Is.EqualTo(new[] { "jon", "smyth" }));
            Assert.That(input.Emails, Is.EqualTo(new[] { "parent@example.org" }));
            Assert.That(input.BirthDates, Is.EqualTo(new[] { new DateOnly(2012, 3, 9) }));
            Assert.That(input.ReferencePattern, Is.EqualTo("%-SAR-2026-000123"));
            Assert.That(input.Kinds, Is.EqualTo(new[] { "reference", "name", "email", "date-of-birth" }));
        });
    }

    [TestCase("2012-03-09")]
    [TestCase("09/03/2012")]
    [TestCase("9.3.2012")]
    [TestCase("9 March 2012")]
    [TestCase("9th Mar 2012")]
    public void Parse_ReadsDatesOfBirthInTheUsualForms(string text)
    {
        var input = SearchInput.Parse(text);

        Assert.Multiple(() =>
        {
            Assert.That(input.BirthDates, Is.EqualTo(new[] { new DateOnly(2012, 3, 9) }));
            Assert.That(input.NameWords, Is.Empty);
        });
    }

    [TestCase("SAR-2026", "%-SAR-2026-%")]
    [TestCase("2026-000045", "%-2026-000045")]
    [TestCase("kcc-era-2025-7", "%-ERA-2025-000007")]
    public void Parse_ReadsReferencesWholeOrInPart(string text, string pattern) =>
        Assert.That(SearchInput.Parse(text).ReferencePattern, Is.EqualTo(pattern));

    [Test]
    public void Parse_AYearAloneIsNotAReference() =>
        Assert.That(SearchInput.Parse("Smith 2012").ReferencePattern, Is.Null);

    [Test]
    public void Tokens_AreKeyedAndDeterministic()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var index = new CaseSearchIndex(new KeyOnlyCipher(key));
        var again = new CaseSearchIndex(new KeyOnlyCipher(key));
        var otherKey = new CaseSearchIndex(new KeyOnlyCipher(RandomNumberGenerator.GetBytes(32)));

        Assert.Multiple(() =>
        {
            Assert.That(again.Token("w", "smith"), Is.EqualTo(index.Token("w", "smith")));
            Assert.That(otherKey.Token("w", "smith"), Is.Not.EqualTo(index.Token("w", "smith")), "another key, other tokens");
            Assert.That(index.Token("t", "smi"), Is.Not.EqualTo(index.Token("w", "smi")), "the kind is part of what is hashed");
            Assert.That(again.KeyId, Is.EqualTo(index.KeyId));
            Assert.That(otherKey.KeyId, Is.Not.EqualTo(index.KeyId));
        });
    }

    [Test]
    public void TokensFor_ACase_CoverBothNamesTheEmailAndTheDateOfBirth()
    {
        var index = new CaseSearchIndex(new KeyOnlyCipher(RandomNumberGenerator.GetBytes(32)));
        var parties = new CaseRequestParties { RequesterName = "Mary Smith", RequesterEmail = "Mary@Example.org", SubjectName = "Jo Smith" };
        var details = new CaseRequestDetails { SubjectDob = new DateOnly(2012, 3, 9) };

        var tokens = index.TokensFor(parties, details);

        Assert.Multiple(() =>
        {
            Assert.That(tokens, Does.Contain(index.Token("w", "mary")));
            Assert.That(tokens, Does.Contain(index.Token("w", "jo")));
            Assert.That(tokens, Does.Contain(index.Token("p", "S530")));
            Assert.That(tokens, Does.Contain(index.Token("t", "smi")));
            Assert.That(tokens, Does.Contain(index.Token("e", "mary@example.org")));
            Assert.That(tokens, Does.Contain(index.BirthDateToken(new DateOnly(2012, 3, 9))));
            Assert.That(tokens, Is.Unique);
        });
    }

    /// <summary>Only derives keys: the tokens need nothing else.</summary>
    private sealed class KeyOnlyCipher(byte[] key) : IPersonalDataCipher
    {
        public byte[] Seal(string text, string context) => throw new NotSupportedException();

        public string Open(byte[] sealedValue, string context) => throw new NotSupportedException();

        public bool IsCurrent(string keyId) => true;

        public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(key, purpose);
    }
}
