using System.Text.Json;
using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Smtp;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace KccRights.Correspondence.Tests.Acknowledgements;

/// <summary>
/// serve with no mail settings (the demo without run.sh's mailbox) opens its demonstration cases through intake: their
/// acknowledgement jobs must end at once, saying nothing was sent, rather than fail every retry into an incident.
/// </summary>
public sealed class NoSmtpHostTests
{
    [Test]
    public async Task WithNoSmtpHost_TheAcknowledgementJobEndsAtOnce_SayingNothingWasSent()
    {
        using var sender = new SmtpMailSender(new SmtpOptions());
        // Nothing but the sender is reached: the case, its clock and the database are not read when nothing can be sent.
        var handler = new SendAcknowledgementHandler(new SmtpOptions(), new AcknowledgementTemplates(), sender, null!, null!, NullLogger<SendAcknowledgementHandler>.Instance);
        using var payload = JsonDocument.Parse("{}");

        var result = await handler.HandleAsync(
            new JobContext { JobId = 1, Kind = handler.Kind, Attempt = 1, CaseId = 7, Payload = payload.RootElement, Transaction = null!, Time = TimeProvider.System },
            CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(sender.CanSend, Is.False);
            Assert.That(result, Is.EqualTo("no-smtp"));
        });
    }
}
