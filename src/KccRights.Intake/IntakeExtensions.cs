using KccRights.Cases;
using KccRights.Correspondence.Smtp;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Encryption;
using KccRights.Intake.Classification;
using KccRights.Intake.Mailbox;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KccRights.Intake;

/// <summary>
/// Wires intake (reading mail) into a host. Needs, from elsewhere: an NpgsqlDataSource, a ClockStore and a TimeProvider
/// (AddKccCore), the workflow runtime's IWorkflowEngine and IJobQueue, and Correspondence (AddKccCorrespondence), which
/// runs the <c>send-acknowledgement</c> jobs intake enqueues. Refuses to start with a clear message when the mailbox is
/// set and its settings, or the SMTP settings the acknowledgements need, are incomplete.
/// </summary>
public static class IntakeExtensions
{
    public static IServiceCollection AddIntake(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Bound, validated now and on start (one line per bad setting); also registered as singletons.
        var classifier = services.AddValidatedOptions<ClassifierOptions>(configuration, ClassifierOptions.Section);
        var mailbox = services.AddValidatedOptions<MailboxOptions>(configuration, MailboxOptions.Section);
        var storage = services.AddValidatedOptions<MessageStorageOptions>(configuration, MessageStorageOptions.Section);

        // Read here only to refuse a mailbox without a way to acknowledge; Correspondence binds, validates and uses it.
        var smtp = configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions();
        services.AddSingleton(_ => MessageCipher.FromOptions(storage, dataDirectory));
        services.AddSingleton<IPersonalDataCipher>(sp => sp.GetRequiredService<MessageCipher>());
        services.AddSingleton<InboundMessageStore>();
        services.AddHostedService<SealPlaintextAtStart>();
        services.AddSingleton<MessageClassifier>(sp => new MessageClassifier(classifier, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IntakeProcessor>();
        services.AddSingleton<KccRights.Cases.Retention.ICaseDataPurger, Retention.IntakeDataPurger>();
        services.AddSingleton<Triage.TriageInbox>();

        // The address a triage reply goes to, read from the sealed stored message by Correspondence's job (issue 14 item 1).
        services.AddSingleton<KccRights.Correspondence.Triage.ITriageReplyRecipients, Triage.TriageReplyRecipients>();
        services.AddSingleton<MailboxHealth>();
        services.AddSingleton(sp => new MailboxReader(
            mailbox,
            sp.GetRequiredService<InboundMessageStore>(),
            sp.GetRequiredService<MailboxHealth>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MailboxReader>>(),
            sp.GetService<IOAuth2TokenProvider>()));
        services.AddSingleton<IJobHandler, Identity.DeleteIdCopiesHandler>();

        if (!string.IsNullOrWhiteSpace(mailbox.Host))
        {
            var errors = mailbox.Validate(services.Any(s => s.ServiceType == typeof(IOAuth2TokenProvider))).Concat(smtp.Validate()).ToList();
            if (errors.Count > 0)
            {
                throw new InvalidOperationException("Intake is misconfigured: " + string.Join("; ", errors));
            }

            services.AddHostedService<IntakeWorker>();
        }

        return services;
    }
}
