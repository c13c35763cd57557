using KccRights.TestSupport;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace KccRights.Intake.Tests.Support;

/// <summary>Delivering recorded mail over SMTP and reading mailboxes back over IMAP, for the integration tests.</summary>
public static class MailTestKit
{
    public const string Mailbox = "data.protection@kent.gov.uk";

    /// <summary>
    /// Sends each file's exact bytes to the mailbox through Postfix, waits for delivery, and dates each delivered file
    /// (its IMAP INTERNALDATE, the instant it "reached the mailbox") with the message's own Date header where it has a
    /// readable one, so statutory dates can be checked against the recorded dates.
    /// </summary>
    public static async Task DeliverAsync(MailServers servers, string mailbox, IEnumerable<byte[]> messages, bool useDateHeader = true)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var before = servers.NewMessageFiles(mailbox).Count;
        var count = 0;
        foreach (var raw in messages)
        {
            await RawSmtp.SendAsync(MailServers.Host, servers.SmtpPort, "sender@test.invalid", mailbox, raw);
            count++;
        }

        var files = await servers.WaitForNewMessagesAsync(mailbox, before + count, TimeSpan.FromSeconds(60));
        if (!useDateHeader)
        {
            return;
        }

        foreach (var file in files)
        {
            var date = MimeMessage.Load(file).Date;
            if (date != DateTimeOffset.MinValue)
            {
                File.SetLastWriteTimeUtc(file, date.UtcDateTime);
            }
        }
    }

    public static async Task<ImapClient> ConnectAsync(MailServers servers, string user)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var client = new ImapClient();
        await client.ConnectAsync(MailServers.Host, servers.ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, MailServers.Password);
        return client;
    }

    public static async Task<int> CountAsync(MailServers servers, string user, string folder)
    {
        using var client = await ConnectAsync(servers, user);
        try
        {
            var mailFolder = await client.GetFolderAsync(folder);
            await mailFolder.OpenAsync(FolderAccess.ReadOnly);
            return mailFolder.Count;
        }
        catch (FolderNotFoundException)
        {
            return 0;
        }
    }

    public static async Task<IReadOnlyList<MimeMessage>> ReadInboxAsync(MailServers servers, string user)
    {
        using var client = await ConnectAsync(servers, user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var messages = new List<MimeMessage>();
        for (var i = 0; i < client.Inbox.Count; i++)
        {
            messages.Add(await client.Inbox.GetMessageAsync(i));
        }

        await client.DisconnectAsync(true);
        return messages;
    }

    public static IEnumerable<string> Senders(IEnumerable<string> files) =>
        files.Select(f => MimeMessage.Load(Corpus.PathOf(f)).From.Mailboxes.FirstOrDefault()?.Address)
            .Where(a => a is not null && a.Contains('@', StringComparison.Ordinal))
            .Select(a => a!.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal);
}
