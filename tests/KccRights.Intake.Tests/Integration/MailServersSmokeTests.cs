using KccRights.TestSupport;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace KccRights.Intake.Tests.Integration;

public class MailServersSmokeTests
{
    [Test]
    public async Task Message_SentToPostfix_IsReadFromDovecot_WithTheDeliveryTimeItWasGiven()
    {
        await using var servers = await MailServers.StartAsync(["someone@example.com"]);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Sender", "sender@example.org"));
        message.To.Add(new MailboxAddress("Someone", "someone@example.com"));
        message.Subject = "Smoke";
        message.Body = new TextPart("plain") { Text = "Hello" };
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync(MailServers.Host, servers.SmtpPort, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        var files = await servers.WaitForNewMessagesAsync("someone@example.com", 1, TimeSpan.FromSeconds(20));
        var arrived = new DateTimeOffset(2026, 3, 31, 23, 30, 0, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(files[0], arrived.UtcDateTime);

        using var imap = new ImapClient();
        await imap.ConnectAsync(MailServers.Host, servers.ImapPort, SecureSocketOptions.None);
        await imap.AuthenticateAsync("someone@example.com", MailServers.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await imap.Inbox.FetchAsync(0, -1, MessageSummaryItems.InternalDate | MessageSummaryItems.Envelope);

        Assert.Multiple(() =>
        {
            Assert.That(summaries, Has.Count.EqualTo(1));
            Assert.That(summaries[0].Envelope?.Subject, Is.EqualTo("Smoke"));
            Assert.That(summaries[0].InternalDate, Is.EqualTo(arrived));
            Assert.That(imap.Capabilities.HasFlag(ImapCapabilities.Idle), Is.True);
        });
    }
}
