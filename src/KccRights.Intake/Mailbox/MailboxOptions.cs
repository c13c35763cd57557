using KccRights.Infrastructure.Mail;
using MailKit.Security;

namespace KccRights.Intake.Mailbox;

/// <summary>The data-protection mailbox (configuration section <c>Intake:Mailbox</c>).</summary>
public sealed class MailboxOptions
{
    public const string Section = "Intake:Mailbox";

    public string Host { get; set; } = "";

    public int Port { get; set; } = 993;

    public MailTls Tls { get; set; } = MailTls.SslOnConnect;

    public string Username { get; set; } = "";

    /// <summary>The password; leave empty when an OAuth2 token provider is registered (Exchange Online).</summary>
    public string? Password { get; set; }

    public string InboxFolder { get; set; } = "INBOX";

    /// <summary>Where handled messages are moved after the database commit; empty to flag them in place instead.</summary>
    public string? ProcessedFolder { get; set; } = "Processed";

    /// <summary>
    /// The keyword set (with \Seen) when messages are flagged in place rather than moved; <c>\Seen</c> alone marks them
    /// read, for a local mailbox (smtp4dev) that keeps neither folders nor keywords.
    /// </summary>
    public string ProcessedKeyword { get; set; } = "$KccStored";

    /// <summary>Wait with IMAP IDLE when the server offers it; otherwise (or when false) poll.</summary>
    public bool UseIdle { get; set; } = true;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>IDLE is restarted before servers drop it (RFC 2177 suggests under 29 minutes; Exchange drops at 10 or less).</summary>
    public TimeSpan IdleRestart { get; set; } = TimeSpan.FromMinutes(9);

    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(5);

    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// A message the server fails to serve this many times in a row is skipped: recorded for triage with its UID and left
    /// in the mailbox, so later messages are read (issue 9, item 9).
    /// </summary>
    public int MaxFetchAttempts { get; set; } = 3;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    internal SecureSocketOptions SocketOptions => Tls switch
    {
        MailTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailTls.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    /// <summary>What is wrong with these options, for a clear refusal to start.</summary>
    public IReadOnlyList<string> Validate(bool hasTokenProvider)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{Section}:Host is required");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"{Section}:Port must be 1-65535");
        }

        if (string.IsNullOrWhiteSpace(Username))
        {
            errors.Add($"{Section}:Username is required");
        }

        if (string.IsNullOrEmpty(Password) && !hasTokenProvider)
        {
            errors.Add($"{Section}:Password is required unless an OAuth2 token provider is configured");
        }

        if (string.IsNullOrWhiteSpace(InboxFolder))
        {
            errors.Add($"{Section}:InboxFolder is required");
        }

        if (BatchSize < 1 || RetryInitial <= TimeSpan.Zero || RetryMax < RetryInitial || PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{Section}: BatchSize, RetryInitial, RetryMax and PollInterval must be positive, RetryMax >= RetryInitial");
        }

        return errors;
    }
}

/// <summary>
/// Supplies OAuth2 access tokens for XOAUTH2 (Exchange Online, where basic authentication is switched off). Implement
/// it with the council's identity platform client; it is asked for a token on every connection.
/// </summary>
public interface IOAuth2TokenProvider
{
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}
