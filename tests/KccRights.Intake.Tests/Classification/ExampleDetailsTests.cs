using KccRights.Domain.Cases;
using KccRights.Intake.Classification;
using Microsoft.Extensions.Time.Testing;

namespace KccRights.Intake.Tests.Classification;

/// <summary>What intake extracts from the recorded examples: requester, subject, identifiers, references, attachments.</summary>
public class ExampleDetailsTests
{
    private static readonly MessageClassifier Classifier = new(new ClassifierOptions(), new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero)));

    private static ClassificationResult Classify(string file) => Classifier.Classify(Corpus.Read(file));

    [Test]
    public void AdultOwnRecords_ExtractsNamePreviousNameDateOfBirthSchoolAndAddress()
    {
        var result = Classify("01-adult-own-records.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Requester, Is.EqualTo(new Person("Daniel Okafor", "d.okafor@example.com")));
            Assert.That(result.Subject.Name, Is.EqualTo("Daniel Okafor"));
            Assert.That(result.Subject.PreviousNames, Is.EqualTo(new[] { "Daniel Mensah" }));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(1997, 3, 14)));
            Assert.That(result.Subject.School, Is.EqualTo("Hartsdown Academy"));
            Assert.That(result.Subject.Postcode, Is.EqualTo("CT9 1AB"));
            Assert.That(result.Subject.Address, Is.EqualTo("22 Pier Road, Margate, CT9 1AB"));
            Assert.That(result.Reasons, Has.Some.Contains("Subject access request"));
            Assert.That(result.NeedsTriage, Is.False);
        });
    }

    [Test]
    public void ParentForChild_SubjectIsTheChild()
    {
        var result = Classify("02-parent-for-child.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Subject.Name, Is.EqualTo("Oliver Whitlock"));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(2017, 6, 2)));
            Assert.That(result.Requester.Name, Is.EqualTo("Sarah Whitlock"));
            Assert.That(result.Reasons, Has.Some.Contains("my son"));
        });
    }

    [Test]
    public void Solicitor_ExtractsClientAgentReferenceAndReadsTheAuthorityPdf()
    {
        var result = Classify("03-solicitor-with-authority.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Subject.Name, Is.EqualTo("Jade Parker"));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(2004, 11, 9)));
            Assert.That(result.Subject.Postcode, Is.EqualTo("DA1 2AA"));
            Assert.That(result.Reference, Is.EqualTo("HC/JP/4471"));
            Assert.That(result.Attachments, Is.EqualTo(new[] { new AttachmentInfo("authority-jade-parker.pdf", "application/pdf", 627) }));
        });
    }

    [Test]
    public void SolicitorLetterOnlyInPdf_IsReadFromThePdf()
    {
        var result = Classify("19-solicitor-letter-pdf.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Rights, Is.EqualTo(new[] { Right.Access }));
            Assert.That(result.Relationship, Is.EqualTo(Relationship.Client));
            Assert.That(result.Subject.Name, Is.EqualTo("Ryan Cole"));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(2006, 9, 23)));
            Assert.That(result.Reference, Is.EqualTo("KM/RC/2291"));
            Assert.That(result.Rights, Does.Not.Contain(Right.Erasure), "the disclaimer's 'delete it' is not an erasure request");
        });
    }

    [Test]
    public void ReplyWithId_CarriesTheCaseReferenceAndAttachments()
    {
        var result = Classify("10-reply-with-id.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Reply));
            Assert.That(result.CaseReferences.Select(r => r.ToString()), Is.EqualTo(new[] { "KCC-SAR-2026-000042" }));
            Assert.That(result.InReplyTo, Is.EqualTo("ack-000042@kent.gov.uk"));
            Assert.That(result.Attachments.Select(a => a.Name), Is.EqualTo(new[] { "passport.png", "council-tax.pdf" }));
            Assert.That(result.Attachments.Select(a => a.ContentType), Is.EqualTo(new[] { "image/png", "application/pdf" }));
        });
    }

    [Test]
    public void ComplaintQuotingAReference_IsANewComplaintNotAReply()
    {
        var result = Classify("14-complaint-handling.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Request));
            Assert.That(result.Rights, Is.EqualTo(new[] { Right.Complaint }));
            Assert.That(result.CaseReferences.Select(r => r.ToString()), Is.EqualTo(new[] { "KCC-SAR-2026-000088" }));
        });
    }

    [Test]
    public void Bounce_NamesTheUndeliveredRecipient()
    {
        var result = Classify("15-bounce.eml");

        Assert.That(result.BouncedRecipients, Does.Contain("jay.k.1999@example.com"));
    }

    [Test]
    public void DeliveryReportWithHeaders_NamesTheUndeliveredMessageId()
    {
        var result = Classify("32-bounce-dsn-with-headers.eml");

        Assert.That(result.BouncedMessageIds, Does.Contain("ack.KCC-SAR-2026-000042@kent.gov.uk"));
    }

    [Test]
    public void Malformed_IsStillUnderstoodButSentToTriageWithTheProblems()
    {
        var result = Classify("16-malformed.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Request));
            Assert.That(result.NeedsTriage, Is.True);
            Assert.That(result.ParseProblems, Has.Some.Contains("charset"));
            Assert.That(result.ParseProblems, Has.Some.Contains("not closed"));
            Assert.That(result.ParseProblems, Has.Some.Contains("base64"));
            Assert.That(result.ParseProblems, Has.Some.Contains("Date"));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(2000, 1, 1)));
        });
    }

    [TestCase("")]
    [TestCase("this is not an email at all")]
    [TestCase("\0\0\0\u0001binary")]
    public void Unparseable_IsOtherWithAReason(string text)
    {
        var result = Classifier.Classify(System.Text.Encoding.UTF8.GetBytes(text));

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(MessageKind.Other));
            Assert.That(result.Reasons, Is.Not.Empty);
            Assert.That(result.NeedsTriage, Is.True);
        });
    }

    [Test]
    public void WelshAndPolish_AreRecognisedAndSentToTriage()
    {
        var welsh = Classify("21-welsh-request.eml");
        var polish = Classify("22-polish-request.eml");

        Assert.Multiple(() =>
        {
            Assert.That(welsh.Language, Is.EqualTo("cy"));
            Assert.That(polish.Language, Is.EqualTo("pl"));
            Assert.That(welsh.NeedsTriage && polish.NeedsTriage, Is.True);
            Assert.That(polish.Subject.DateOfBirth, Is.EqualTo(new DateOnly(1998, 3, 14)));
            Assert.That(welsh.Subject.DateOfBirth, Is.EqualTo(new DateOnly(1990, 5, 2)));
        });
    }

    [Test]
    public void ForwardedByAColleague_RequesterIsTheOriginalSender()
    {
        var inline = Classify("23-forwarded-by-school-office.eml");
        var attached = Classify("24-forwarded-as-attachment.eml");

        Assert.Multiple(() =>
        {
            Assert.That(inline.Requester, Is.EqualTo(new Person("Natasha Green", "natasha.green@example.com")));
            Assert.That(inline.Subject.Name, Is.EqualTo("Alfie Green"));
            Assert.That(attached.Requester, Is.EqualTo(new Person("Mohammed Iqbal", "m.iqbal@example.org")));
        });
    }

    [Test]
    public void HtmlWithUpn_ReadsAValidUpnAndTheSchool()
    {
        var result = Classify("47-html-outlook-with-upn.eml");

        Assert.Multiple(() =>
        {
            Assert.That(result.Subject.Upn, Is.EqualTo("U886201412001"));
            Assert.That(result.Subject.School, Is.EqualTo("Bishop Chavasse Primary School"));
            Assert.That(result.Subject.Name, Is.EqualTo("Yusuf Hassan"));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(2014, 1, 17)));
        });
    }

    [TestCase("17-former-pupil-maiden-name.eml", "Claire Hutchins", 1985, 3, 14)]
    [TestCase("18-care-leaver-us-date.eml", "Jordan Brown", 1999, 3, 14)]
    [TestCase("59-nee-previous-name-march-format.eml", "Hall", 1967, 3, 3)]
    public void PreviousNamesAndDates_AreRead(string file, string previous, int year, int month, int day)
    {
        var result = Classify(file);

        Assert.Multiple(() =>
        {
            Assert.That(result.Subject.PreviousNames, Does.Contain(previous));
            Assert.That(result.Subject.DateOfBirth, Is.EqualTo(new DateOnly(year, month, day)));
        });
    }
}
