namespace KccRights.Infrastructure.Mail;

/// <summary>
/// TLS for a mail connection: implicit TLS (993/465), STARTTLS, or none (loopback test servers only). Shared by the
/// mailbox Intake reads (IMAP) and the mail Correspondence sends (SMTP); each maps it to MailKit's socket options.
/// </summary>
public enum MailTls
{
    SslOnConnect,
    StartTls,
    None,
}
