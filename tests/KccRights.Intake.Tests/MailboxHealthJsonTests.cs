using System.Text.Json;
using KccRights.Intake.Mailbox;

namespace KccRights.Intake.Tests;

/// <summary>Issue 14 item 6: /health shows the mailbox's state as a word, not the enum's number.</summary>
public sealed class MailboxHealthJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [TestCase(MailboxState.Idle, "idle")]
    [TestCase(MailboxState.Polling, "polling")]
    [TestCase(MailboxState.Retrying, "retrying")]
    [TestCase(MailboxState.Starting, "starting")]
    public void TheState_IsWrittenAsAWord(MailboxState state, string word)
    {
        var snapshot = new MailboxHealthSnapshot(state, true, null, null, 0, null, null, 0);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(snapshot, Web));

        Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo(word));
    }
}
