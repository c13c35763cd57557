using KccRights.TestSupport;

namespace KccRights.Host.Tests;

/// <summary><c>kccrights deadline</c>, run as a real process.</summary>
public class DeadlineCommandTests
{
    [Test]
    public async Task Deadline_PrintsTheIssuesExampleAsOneJsonLine()
    {
        var (exitCode, output, error) = await Kccrights.RunAsync("deadline", "--received", "2026-01-31");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, error);
            Assert.That(output, Is.EqualTo("""{"received":"2026-01-31","clockStart":"2026-01-31","pausedDays":0,"due":"2026-03-02","extensionNoticeBy":"2026-03-02","extendedDue":"2026-04-30"}""" + "\n"));
        });
    }

    [Test]
    public async Task Deadline_WithAnInstant_UsesTheLondonDate()
    {
        var (exitCode, output, _) = await Kccrights.RunAsync("deadline", "--received", "2026-03-31T23:30:00Z");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero);
            Assert.That(output, Does.StartWith("""{"received":"2026-04-01","clockStart":"2026-04-01","pausedDays":0,"due":"2026-05-01","""));
        });
    }

    [Test]
    public async Task Deadline_WithPauseAndClockStart_AppliesBoth()
    {
        var (exitCode, output, _) = await Kccrights.RunAsync(
            "deadline", "--received", "2026-03-02", "--clock-start", "2026-03-02", "--pause", "2026-03-04..2026-03-13");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero);
            Assert.That(output, Does.Contain("\"pausedDays\":10,\"due\":\"2026-04-13\""));
        });
    }

    [TestCase("--received", "not-a-date", TestName = "Deadline_WithNotADate_FailsWithOneLine")]
    [TestCase("--received", "2026-02-30", TestName = "Deadline_WithAnImpossibleDate_FailsWithOneLine")]
    [TestCase("--received", "2029-06-01", TestName = "Deadline_BeyondTheBankHolidayData_FailsWithOneLine")]
    [TestCase("--received", "2026-03-02", "--pause", "2026-03-13..2026-03-04", TestName = "Deadline_WithAPauseEndingBeforeItStarts_FailsWithOneLine")]
    [TestCase("--received", "2026-03-02", "--clock-start", "2026-03-01", TestName = "Deadline_WithClockStartBeforeReceipt_FailsWithOneLine")]
    [TestCase("--pause", "2026-03-13..2026-03-14", TestName = "Deadline_WithoutReceived_FailsWithOneLine")]
    public async Task Deadline_WithBadInput_ExitsNonZeroWithOneLineOnStderr(params string[] args)
    {
        var (exitCode, output, error) = await Kccrights.RunAsync(["deadline", .. args]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(output, Is.Empty);
            Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), error);
            Assert.That(error, Does.StartWith("kccrights: ").And.Not.Contain(" at "));
        });
    }

    [Test]
    public async Task Deadline_WithAReplacedBankHolidayFile_UsesIt()
    {
        // A one-off holiday added to the data moves the date without a code change.
        var file = Path.Combine(Path.GetTempPath(), $"bank-holidays-{Guid.NewGuid():N}.json");
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "bank-holidays.json"));
        await File.WriteAllTextAsync(file, json.Replace("\"events\": [", "\"events\": [ {\"title\":\"One-off\",\"date\":\"2026-03-02\"},", StringComparison.Ordinal));
        try
        {
            var (exitCode, output, error) = await Kccrights.RunAsync("deadline", "--received", "2026-01-31", "--bank-holidays", file);

            Assert.That(exitCode, Is.Zero, error);
            Assert.That(output, Does.Contain("\"due\":\"2026-03-03\""));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
