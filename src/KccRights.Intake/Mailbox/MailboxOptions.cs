using KccRights.Infrastructure.Mail;
using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace KccRights.Intake.Mailbox;

/// <summary>
/// The data-protection mailbox (configuration section <c>Intake:Mailbox</c>). Values are validated on start (data
/// annotations below); what is required once a host is set depends on the wiring (an OAuth2 token provider), so
/// <see cref="Validate(bool)"/> checks it when intake is composed.
/// </summary>
public sealed class MailboxOptions : IValidatableObject
{
    public const string Section = "Intake:Mailbox";

    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessage = "{0} must be between {1} and {2}")]
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

    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// IDLE is ended and the inbox searched again this often: before servers drop it (RFC 2177 suggests under 29
    /// minutes; Exchange drops at 10 or less), and, set to seconds, for a server that announces new mail during IDLE
    /// late (smtp4dev, the demo's mailbox, announces every 30 s: scripts/demo.env sets 1 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:29:00", ErrorMessage = "{0} must be between {1} and {2} (RFC 2177)")]
    public TimeSpan IdleRestart { get; set; } = TimeSpan.FromMinutes(9);

    [Range(typeof(TimeSpan), "00:00:00.01", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00.01", "1.00:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 10_000, ErrorMessage = "{0} must be between {1} and {2}")]
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// A message the server fails to serve this many times in a row is skipped: recorded for triage with its UID and left
    /// in the mailbox, so later messages are read (issue 9, item 9).
    /// </summary>
    [Range(1, 100, ErrorMessage = "{0} must be between {1} and {2}")]
    public int MaxFetchAttempts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "{0} must be between {1} and {2}")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    internal SecureSocketOptions SocketOptions => Tls switch
    {
        MailTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailTls.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMax < RetryInitial)
        {
            yield return new ValidationResult($"{Section}:{nameof(RetryMax)} must not be shorter than {Section}:{nameof(RetryInitial)}", [nameof(RetryMax)]);
        }
    }

    /// <summary>What a configured mailbox still lacks, for a clear refusal to start (the values themselves are validated on start).</summary>
    public IReadOnlyList<string> Validate(bool hasTokenProvider)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{Section}:Host is required");
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
