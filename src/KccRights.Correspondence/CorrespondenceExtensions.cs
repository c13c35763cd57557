using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Letters;
using KccRights.Correspondence.Smtp;
using KccRights.Correspondence.Triage;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KccRights.Correspondence;

/// <summary>
/// Wires outbound mail into a host: the SMTP sender and its options (section <c>Intake:Smtp</c>, validated at start),
/// the acknowledgement templates and the <c>send-acknowledgement</c> job, the email <see cref="INotificationSender"/>
/// once SMTP is configured (otherwise the runtime's recording sender stays), and the workflow's letter activities.
/// Needs, from elsewhere: the workflow runtime, an NpgsqlDataSource, a ClockStore, and an IPersonalDataCipher (AddIntake).
/// </summary>
public static class CorrespondenceExtensions
{
    public static IHostApplicationBuilder AddKccCorrespondence(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddCorrespondence(builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddCorrespondence(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Bound from the configuration given (not BindConfiguration), so service collections without an IConfiguration
        // registered (commands, tests) bind the same section.
        services.AddOptions<SmtpOptions>()
            .Bind(configuration.GetSection(SmtpOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value);
        services.AddSingleton(_ => new AcknowledgementTemplates());
        services.TryAddSingleton<IMailSender>(sp => new SmtpMailSender(sp.GetRequiredService<SmtpOptions>()));
        services.AddSingleton<IJobHandler, SendAcknowledgementHandler>();
        services.AddSingleton<KccRights.Cases.Retention.ICaseDataPurger, Retention.CorrespondenceDataPurger>();

        // Replies from the triage inbox (issue 14 item 1): queued by Intake's triage, sent by this job; the recipient is
        // read through the ITriageReplyRecipients Intake registers.
        services.AddSingleton<TriageReplies>();
        services.AddSingleton<IJobHandler, SendTriageReplyHandler>();

        // Letters with attachments, each recorded as it goes (issue 13: the response PDF, its password apart).
        services.TryAddSingleton(_ => new LetterTemplates());
        services.TryAddSingleton<RequesterMail>();

        // The workflow's letters and reminders go out by email once SMTP is configured (otherwise they are recorded).
        if (!string.IsNullOrWhiteSpace(configuration[$"{SmtpOptions.Section}:{nameof(SmtpOptions.Host)}"]))
        {
            services.AddSingleton<INotificationSender, MailNotificationSender>();
        }
        else
        {
            services.TryAddSingleton<INotificationSender, RecordingNotificationSender>();
        }

        return services.AddCorrespondenceActivities();
    }

    /// <summary>
    /// Only the letter activities the workflow definitions name (the requester letters and the extension notice), sent
    /// through whichever <see cref="INotificationSender"/> is registered: for hosts that run or check workflows without
    /// sending mail (the workflow commands, the test worker and harness). Registered once however often it is called.
    /// </summary>
    public static IServiceCollection AddCorrespondenceActivities(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(s => s.ServiceType == typeof(LetterActivitiesMarker)))
        {
            return services;
        }

        services.AddSingleton<LetterActivitiesMarker>();
        services.TryAddSingleton<INotificationSender, RecordingNotificationSender>();

        // Every template is parsed once, at start; the runtime checks each definition's letters and reminders against
        // them, so a definition naming one with no wording is refused at start (issue 14 item 5).
        services.TryAddSingleton(_ => new LetterTemplates());
        services.TryAddSingleton<INotificationTemplates>(sp => sp.GetRequiredService<LetterTemplates>());
        foreach (var kind in RequesterLetterHandler.Kinds)
        {
            services.AddSingleton<IJobHandler>(sp => new RequesterLetterHandler(kind, sp.GetRequiredService<INotificationSender>()));
        }

        services.AddSingleton<IJobHandler, ExtensionNoticeHandler>();
        return services;
    }

    private sealed class LetterActivitiesMarker;
}
