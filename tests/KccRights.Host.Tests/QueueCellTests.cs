using KccRights.Domain.Deadlines;
using KccRights.Host.Pages;
using KccRights.Infrastructure.Deadlines;
using Microsoft.Extensions.Time.Testing;

namespace KccRights.Host.Tests;

/// <summary>Issue 14 item 3: the queues' working-days-left band, and people by name rather than by id.</summary>
public class QueueCellTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private static readonly DeadlineCalculator Calculator = new(BankHolidayFile.Load());
    private static readonly DeadlineBadges Badges = new(Calculator, Time);
    private static readonly DateOnly Today = LondonTime.Today(Time);

    [TestCase(10, "")]
    [TestCase(5, "kcc-days--soon")]
    [TestCase(1, "kcc-days--soon")]
    public void AnOpenCase_ShowsItsWorkingDaysLeft_BandedOrangeWithinFive(int workingDays, string css)
    {
        var due = Calculator.AddWorkingDays(Today, workingDays);
        var (text, band) = Badges.DaysLeft(new CaseDates { EffectiveDueOn = due, IsOpen = true });
        Assert.That((text, band), Is.EqualTo((workingDays.ToString(System.Globalization.CultureInfo.InvariantCulture), css)));
    }

    [Test]
    public void AnOverdueCase_SaysHowManyDaysOverdue_InRed()
    {
        var due = Today.AddDays(-14);
        var (text, band) = Badges.DaysLeft(new CaseDates { EffectiveDueOn = due, IsOpen = true });
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Match(@"^\d+ overdue$"));
            Assert.That(band, Is.EqualTo("kcc-days--overdue"));
        });
    }

    [Test]
    public void APausedOrClosedCase_HasNoCountdown()
    {
        var due = Calculator.AddWorkingDays(Today, 3);
        Assert.Multiple(() =>
        {
            Assert.That(Badges.DaysLeft(new CaseDates { EffectiveDueOn = due, IsOpen = true, IsPaused = true }).Text, Is.EqualTo("Paused"));
            Assert.That(Badges.DaysLeft(new CaseDates { EffectiveDueOn = due, IsOpen = false }).Text, Is.EqualTo("Closed"));
        });
    }

    [Test]
    public void People_AreShownByName_AndTheServicesOwnActorsAsWhatTheyAre()
    {
        var names = new PeopleNames(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["demo-officer"] = "Olivia Officer" });
        Assert.Multiple(() =>
        {
            Assert.That(names.Of("demo-officer"), Is.EqualTo("Olivia Officer"));
            Assert.That(names.Of("DEMO-OFFICER"), Is.EqualTo("Olivia Officer"));
            Assert.That(names.Of("intake"), Is.EqualTo("Email intake"));
            Assert.That(names.Of("job:42"), Is.EqualTo("The service"));
            Assert.That(names.Of(null), Is.Empty);
        });
    }
}
