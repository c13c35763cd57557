using KccRights.Intake.Identity;
using MimeKit;

namespace KccRights.Intake.Tests.Identity;

public class DeleteIdCopiesTests
{
    [Test]
    public void RemoveAttachments_CutsOutEveryAttachmentAndKeepsTheBody()
    {
        var builder = new BodyBuilder { TextBody = "Please find my passport attached." };
        builder.Attachments.Add("passport.jpg", new byte[] { 1, 2, 3 }, new ContentType("image", "jpeg"));
        builder.Attachments.Add("council-tax.pdf", new byte[] { 4, 5, 6 }, new ContentType("application", "pdf"));
        var message = new MimeMessage { Subject = "Re: KCC-SAR-2026-000001", Body = builder.ToMessageBody() };

        var removed = DeleteIdCopiesHandler.RemoveAttachments(message, new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));

        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(2));
            Assert.That(message.Attachments, Is.Empty);
            Assert.That(message.TextBody, Does.Contain("Please find my passport attached."));
            Assert.That(message.BodyParts.OfType<TextPart>().Select(p => p.Text), Has.Some.Contains("deleted on 2026-11-30"));
        });
    }

    [Test]
    public void RemoveAttachments_OnAMessageWithoutAttachments_RemovesNothing()
    {
        var message = new MimeMessage { Body = new TextPart("plain") { Text = "No attachments here." } };

        Assert.That(DeleteIdCopiesHandler.RemoveAttachments(message, DateTimeOffset.UnixEpoch), Is.Zero);
    }
}
