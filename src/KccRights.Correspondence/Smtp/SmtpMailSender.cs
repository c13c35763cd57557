using System.ComponentModel.DataAnnotations;
using KccRights.Infrastructure.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace KccRights.Correspondence.Smtp;

/// <summary>
/// Outgoing mail (configuration section <c>Intake:Smtp</c>, the name it had before Correspondence was a module of its own:
/// run.sh, the README and the tests use it). Checked at start: a port out of range or a From address that is not an
/// address stops the service; the host is required only when the mailbox is read (<see cref="Validate()"/>).
/// </summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Intake:Smtp";

    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    public MailTls Tls { get; set; } = MailTls.StartTls;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The address the public sees and replies to: the data-protection mailbox.</summary>
    public string FromAddress { get; set; } = "data.protection@kent.gov.uk";

    public string FromName { get; set; } = "Kent County Council Data Protection";

    /// <summary>The domain of the Message-IDs the service generates (so replies thread back).</summary>
    public string MessageIdDomain { get; set; } = "kent.gov.uk";

    /// <summary>Where reminders to the team go (the Information Resilience team's shared mailbox); empty: recorded only.</summary>
    public string? TeamAddress { get; set; }

    /// <summary>Where notifications for the DPO go; empty: recorded only.</summary>
    public string? DpoAddress { get; set; }

    public IReadOnlyList<string> Validate()
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

        if (!MailboxAddress.TryParse(FromAddress, out _))
        {
            errors.Add($"{Section}:FromAddress is not an email address");
        }

        return errors;
    }

    /// <summary>What must hold whether or not SMTP is used (the host may be empty: letters are then recorded only).</summary>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Where(e => !e.StartsWith($"{Section}:Host", StringComparison.Ordinal)).Select(e => new ValidationResult(e));
}

/// <summary>Sends one message. The acknowledgement job depends on this, not on SMTP.</summary>
public interface IMailSender
{
    /// <summary>False when nothing can be sent (no SMTP host configured): the jobs then send nothing and say so.</summary>
    bool CanSend => true;

    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// MailKit SMTP with one kept-open connection, checked before each message and reopened when the server has dropped it
/// (an idle timeout) or after any failure.
/// </summary>
public sealed class SmtpMailSender(SmtpOptions options) : IMailSender, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;

    public bool CanSend => !string.IsNullOrWhiteSpace(options.Host);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var client = _client;
            if (client is not null && client.IsConnected && !await StillOpenAsync(client, cancellationToken))
            {
                // Servers close a connection left idle (smtp4dev, Postfix's smtpd_timeout, Exchange): MailKit only learns
                // of it on the next command, so the first letter after a quiet spell used to fail and go out only on the
                // job's retry (issue 14 item 6). A NOOP finds out first, and the connection is opened again.
                client.Dispose();
                client = _client = null;
            }

            if (client is null || !client.IsConnected)
            {
                client?.Dispose();
                client = _client = new SmtpClient();
                var socket = options.Tls switch
                {
                    MailTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
                    MailTls.StartTls => SecureSocketOptions.StartTls,
                    _ => SecureSocketOptions.None,
                };
                await client.ConnectAsync(options.Host, options.Port, socket, cancellationToken);
                if (!string.IsNullOrEmpty(options.Username))
                {
                    await client.AuthenticateAsync(options.Username, options.Password ?? string.Empty, cancellationToken);
                }
            }

            try
            {
                await client.SendAsync(message, cancellationToken);
            }
            catch
            {
                client.Dispose();
                _client = null;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<bool> StillOpenAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.NoOpAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        // Whatever the answer (a closed socket, a protocol error, "421 timeout"), the old connection is not used again.
        catch (Exception ex) when (ex is IOException or SmtpCommandException or SmtpProtocolException or MailKit.ServiceNotConnectedException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
        _gate.Dispose();
    }
}
