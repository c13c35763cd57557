using System.Text;
using KccRights.Domain.Cases;
using KccRights.Intake.Classification;
using Microsoft.Extensions.Time.Testing;

namespace KccRights.Intake.Tests.Classification;

/// <summary>
/// Issue 14, item 7: the classes of mistake intake made on live mail, each on recorded examples written for the class
/// (Fixtures/emails 96-125) and on short messages that probe the edges of the rule.
/// </summary>
public class GeneralisationTests
{
    private static readonly MessageClassifier Classifier = new(new ClassifierOptions(), new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero)));

    private static ClassificationResult Classify(string file) => Classifier.Classify(Corpus.Read(file));

    private static ClassificationResult ClassifyText(string from, string subject, string body, string extraHeaders = "") =>
        Classifier.Classify(Encoding.UTF8.GetBytes(
            $"From: {from}\r\nTo: data.protection@kent.gov.uk\r\nSubject: {subject}\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMessage-ID: <t-{Guid.NewGuid():N}@example.net>\r\n{extraHeaders}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body.ReplaceLineEndings("\r\n")}\r\n"));

    private static string Why(ClassificationResult result) => string.Join(" | ", result.Reasons);

    // ---- Marketing and newsletters ----

    [TestCase("96-conference-advert-erasure.eml")]
    [TestCase("97-newsletter-privacy-digest.eml")]
    [TestCase("98-vendor-sar-software-pitch.eml")]
    [TestCase("99-training-course-articles.eml")]
    [TestCase("100-charity-appeal-newsletter.eml")]
    [TestCase("101-save-the-date-records-forum.eml")]
    public void MarketingThatMentionsRights_IsNotARequest_AndGoesToTriageWithTheReason(string file)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Other), Why(result));
            Assert.That(result.Rights, Is.Empty);
            Assert.That(result.Relationship, Is.Null);
            Assert.That(result.NeedsTriage, Is.True);
            Assert.That(result.TriageReasons.Single(), Does.StartWith("marketing or a newsletter, not a request"));
        });
    }

    [Test]
    public void AdvertWithRightsInTheSubject_ButListHeadersAndBookingWords_IsMarketing()
    {
        var result = ClassifyText(
            "Events <events@example.org>",
            "Right to erasure and subject access: a masterclass",
            "Join us at our one-day masterclass on subject access requests and the right to erasure. Early bird price until Friday; book your place online.",
            "List-Unsubscribe: <mailto:leave@example.org>\r\n");

        Assert.That(result.Kind, Is.EqualTo(MessageKind.Other), Why(result));
    }

    [Test]
    public void PersonAskingToUnsubscribeAndBeErased_IsStillARequest()
    {
        var result = Classify("124-unsubscribe-and-delete-my-data.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Request), Why(result));
            Assert.That(result.Rights, Is.EqualTo(new[] { Right.Erasure }));
            Assert.That(result.Subject.Name, Is.EqualTo("Martin Hale"));
        });
    }

    [Test]
    public void PersonWhoMentionsAnEventTheyBooked_AndAsksForTheirRecords_IsARequest()
    {
        var result = ClassifyText(
            "Jo Pike <jo.pike@example.com>",
            "My records",
            "I came to your foster carers' open evening (I had to register online and book a place). Separately, please send me a copy of all the records you hold about me from when I was in care.\n\nJo Pike");

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Request), Why(result));
            Assert.That(result.Rights, Is.EqualTo(new[] { Right.Access }));
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Self));
        });
    }

    // ---- Complaints that mention an earlier request ----

    [TestCase("102-complaint-sar-response-incomplete.eml")]
    [TestCase("103-complaint-deadline-missed.eml")]
    [TestCase("104-complaint-erasure-refused.eml")]
    [TestCase("105-complaint-redactions-reference.eml")]
    [TestCase("106-complaint-correction-never-made.eml")]
    [TestCase("123-complaint-subject-names-erasure.eml")]
    public void ComplaintAboutAnEarlierRequest_IsOnlyAComplaint(string file)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Request), Why(result));
            Assert.That(result.Rights, Is.EqualTo(new[] { Right.Complaint }), Why(result));
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Self));
        });
    }

    [Test]
    public void ComplaintThatNamesItsRequest_SaysWhyTheRequestIsNotANewCase()
    {
        var result = Classify("102-complaint-sar-response-incomplete.eml");

        Assert.That(result.Reasons, Has.Some.EqualTo("access is the earlier request the complaint is about, not a new one"));
    }

    [Test]
    public void ComplaintWithAGenuinelyNewRequest_KeepsBoth()
    {
        var result = Classify("125-complaint-plus-new-erasure.eml");

        Assert.That(result.Rights, Is.EquivalentTo(new[] { Right.Complaint, Right.Erasure }), Why(result));
    }

    [Test]
    public void NewAccessRequest_ThatMentionsAPreviousOne_IsStillAnAccessRequest()
    {
        var result = ClassifyText(
            "Ian Dale <ian.dale@example.com>",
            "Subject access request",
            "Two years ago I made a subject access request and you answered it. Please now send me a copy of all the records you hold about me since then.\n\nIan Dale");

        Assert.That(result.Rights, Is.EqualTo(new[] { Right.Access }), Why(result));
    }

    // ---- Carers, guardians and social workers acting for a child ----

    [TestCase("107-foster-carer-access.eml", Relationship.Other, "Jayden Price")]
    [TestCase("108-social-worker-young-person.eml", Relationship.Other, "Kai Benton")]
    [TestCase("109-special-guardian-objection.eml", Relationship.Child, "Amelia Ross")]
    [TestCase("110-kinship-carer-erasure.eml", Relationship.Other, "Oscar Lyle")]
    [TestCase("111-key-worker-rectification.eml", Relationship.Other, "Ellie Marsh")]
    public void CarerOrProfessionalActingForAChild_TheChildIsTheSubject(string file, Relationship relationship, string child)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Relationship, Is.EqualTo(relationship), Why(result));
            Assert.That(result.Subject.Name, Is.EqualTo(child), Why(result));
            Assert.That(result.Subject.Name, Is.Not.EqualTo(result.Requester.Name));
        });
    }

    [Test]
    public void CareLeaverWritingAboutTheirOwnFosterCarer_IsActingForThemself()
    {
        var result = ClassifyText(
            "Dean Walsh <dean.walsh@example.com>",
            "My care records",
            "I was in care in Kent from 2005 to 2012. My foster carer at the time told me there were reports written about me. Please send me a copy of my care records.\n\nDean Walsh");

        Assert.Multiple(() =>
        {
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Self), Why(result));
            Assert.That(result.Subject.Name, Is.EqualTo("Dean Walsh"));
        });
    }

    [Test]
    public void FosterCarerNamingTheChildInTheirCare_WithoutTheWordCarer()
    {
        var result = ClassifyText(
            "Pat Giles <pat.giles@example.com>",
            "Records",
            "We foster Harvey Stone, aged 12. Could we please see the records the council has about his school exclusions?\n\nPat Giles");

        Assert.Multiple(() =>
        {
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Other), Why(result));
            Assert.That(result.Subject.Name, Is.EqualTo("Harvey Stone"), Why(result));
        });
    }

    // ---- Non-English greetings and request words ----

    [TestCase("112-polish-wniosek-erasure.eml", "Tomasz Wiśniewski")]
    [TestCase("113-romanian-cerere-access.eml", "Andreea Popescu")]
    [TestCase("114-lithuanian-prasymas-access.eml", "Rūta Kazlauskienė")]
    [TestCase("115-urdu-roman-access.eml", "Imran Qureshi")]
    [TestCase("116-spanish-solicitud-access.eml", "Lucía Fernández")]
    [TestCase("117-polish-parent-dzien-dobry.eml", "Szymon Zieliński")]
    public void GreetingsAndRequestWordsInOtherLanguages_AreNeverTakenAsNames(string file, string name)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Request), Why(result));
            Assert.That(result.Subject.Name, Is.EqualTo(name), Why(result));
        });
    }

    [TestCase("113-romanian-cerere-access.eml", "ro")]
    [TestCase("112-polish-wniosek-erasure.eml", "pl")]
    [TestCase("114-lithuanian-prasymas-access.eml", "lt")]
    [TestCase("116-spanish-solicitud-access.eml", "es")]
    public void RequestInAnotherLanguage_GoesToAnOfficerForTranslation(string file, string language)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Language, Is.EqualTo(language), Why(result));
            Assert.That(result.NeedsTriage, Is.True);
        });
    }

    [TestCase("Wniosek Anna Nowak", "Anna Nowak")]
    [TestCase("Dzień Dobry", null)]
    [TestCase("Bună Ziua Mihai Ionescu", "Mihai Ionescu")]
    [TestCase("Janab Imran Qureshi", "Imran Qureshi")]
    [TestCase("Laba Diena", null)]
    [TestCase("Hola Lucía Fernández", "Lucía Fernández")]
    [TestCase("Salam Alaikum", null)]
    [TestCase("Aisha Begum", "Aisha Begum")]
    [TestCase("Łukasz Żak", "Łukasz Żak")]
    public void NameCleaning_DropsGreetingsAndRequestWords(string captured, string? expected) =>
        Assert.That(PersonDetails.Clean(captured), Is.EqualTo(expected));

    [Test]
    public void PolishRequestWhoseFirstLineIsTheWordForRequest_TakesTheNameThatFollows()
    {
        var result = ClassifyText(
            "a.wojcik@example.pl",
            "Wniosek",
            "Wniosek Anna Wójcik 12.03.1991\n\nProszę o kopię moich danych osobowych.\n\nZ poważaniem\nAnna Wójcik");

        Assert.That(result.Subject.Name, Is.EqualTo("Anna Wójcik"), Why(result));
    }

    // ---- A parent for a son or daughter ----

    [TestCase("118-mum-objects-son-photo.eml", "Jack Harper")]
    [TestCase("119-father-access-daughter.eml", "Mia Kowalski")]
    [TestCase("120-parent-objects-sons-data-sharing.eml", "Ethan Moss")]
    [TestCase("122-dad-objection-data-set.eml", "Callum Fenton")]
    public void ParentActingForTheirChild_TheChildIsTheSubject(string file, string child)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Child), Why(result));
            Assert.That(result.Subject.Name, Is.EqualTo(child), Why(result));
            Assert.That(result.Subject.Name, Is.Not.EqualTo(result.Requester.Name));
        });
    }

    [Test]
    public void ParentsOfTwins_AreActingForTheirChildren_AndNeitherParentIsTheSubject()
    {
        var result = Classify("121-parents-erasure-twins.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Child), Why(result));
            Assert.That(result.Subject.Name, Is.Not.EqualTo("Sam Okoro"));
        });
    }

    [Test]
    public void ParentWhoIsAlsoAskingForTheirOwnRecords_AsAParentOfThree_IsSelf()
    {
        var result = ClassifyText(
            "Lee Ward <lee.ward@example.com>",
            "My records",
            "I am a parent of three now, but I was in care myself in the 1990s. Please send me a copy of my own records.\n\nLee Ward");

        Assert.That(result.Relationship, Is.EqualTo(Relationship.Self), Why(result));
    }
}
