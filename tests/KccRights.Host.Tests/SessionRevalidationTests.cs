using System.Security.Claims;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Staff;
using KccRights.TestSupport;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary>
/// Issue 9, Build 3: the session cookie's check against <c>staff_users</c>, on a real database, with the interval
/// (Authentication:Session:RevalidateSeconds) and the clock under the test's control.
/// </summary>
public class SessionRevalidationTests
{
    private string _connectionString = "";
    private NpgsqlDataSource _dataSource = null!;
    private StaffStore _staff = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    [SetUp]
    public async Task SetUp()
    {
        DapperSetup.Configure();
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        _staff = new StaffStore(_dataSource);
    }

    [TearDown]
    public async Task TearDown() => await _dataSource.DisposeAsync();

    [Test]
    public async Task WithAnInterval_ADeactivationTakesEffectWhenTheIntervalHasPassed_NotBefore()
    {
        var user = await _staff.UpsertAsync("interval-officer", "Interval Officer", "io@example.kent.gov.uk", StaffRoles.Officer, null);
        var events = Events(revalidateSeconds: 30);
        var principal = StaffAuthentication.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, _time);
        await ExecuteAsync("UPDATE staff_users SET active = false WHERE subject = 'interval-officer'");

        _time.Advance(TimeSpan.FromSeconds(29));
        var within = await ValidateAsync(events, principal);
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = await ValidateAsync(events, principal);

        Assert.Multiple(() =>
        {
            Assert.That(within.Principal, Is.SameAs(principal), "within the interval the cookie is not read again");
            Assert.That(after.Principal, Is.Null, "once the interval has passed the deactivation refuses the cookie");
        });
    }

    [Test]
    public async Task EveryRequest_TakesNameFromTheTable_AndRefusesAChangedRoleOrTeam()
    {
        var officer = await _staff.UpsertAsync("every-officer", "Every Officer", "eo@example.kent.gov.uk", StaffRoles.Officer, null);
        var owner = await _staff.UpsertAsync("every-owner", "Every Owner", "ew@example.kent.gov.uk", StaffRoles.RecordOwner, "SEND");
        var events = Events(revalidateSeconds: 0);
        var officerCookie = StaffAuthentication.Principal(officer, CookieAuthenticationDefaults.AuthenticationScheme, _time);
        var ownerCookie = StaffAuthentication.Principal(owner, CookieAuthenticationDefaults.AuthenticationScheme, _time);

        await ExecuteAsync("UPDATE staff_users SET display_name = 'Renamed Officer' WHERE subject = 'every-officer'");
        var renamed = await ValidateAsync(events, officerCookie);
        await ExecuteAsync("UPDATE staff_users SET role = 'dpo' WHERE subject = 'every-officer'");
        var promoted = await ValidateAsync(events, officerCookie);
        await ExecuteAsync("UPDATE staff_users SET team = 'Early Help' WHERE subject = 'every-owner'");
        var moved = await ValidateAsync(events, ownerCookie);
        var forged = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "every-owner"), new Claim(ClaimTypes.Role, StaffRoles.Admin)], CookieAuthenticationDefaults.AuthenticationScheme));
        var noStamp = await ValidateAsync(events, forged);

        Assert.Multiple(() =>
        {
            Assert.That(renamed.Principal?.Identity?.Name, Is.EqualTo("Renamed Officer"), "claims are read from the table");
            Assert.That(renamed.Principal?.FindFirstValue(ClaimTypes.Role), Is.EqualTo(StaffRoles.Officer));
            Assert.That(promoted.Principal, Is.Null, "a change of role changes the stamp: even a promotion needs a new sign-in");
            Assert.That(moved.Principal, Is.Null, "a change of team changes the stamp");
            Assert.That(noStamp.Principal, Is.Null, "a cookie without a stamp is refused");
        });
    }

    [TestCase(-1)]
    [TestCase(61)]
    public void RevalidateSeconds_OutsideZeroToSixty_IsRefused(int seconds)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Authentication:Session:RevalidateSeconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .Build();

        var refused = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddStaffAuthentication(configuration, new DevelopmentEnvironment()));

        Assert.That(refused!.Message, Does.Contain("RevalidateSeconds must be from 0 (every request) to 60"));
    }

    private StaffCookieEvents Events(int revalidateSeconds) =>
        new(_staff, new SessionOptions { RevalidateSeconds = revalidateSeconds }, _time, NullLogger<StaffCookieEvents>.Instance);

    private static async Task<CookieValidatePrincipalContext> ValidateAsync(StaffCookieEvents events, ClaimsPrincipal principal)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication().AddCookie();
        await using var provider = services.BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = provider };
        var scheme = new AuthenticationScheme(CookieAuthenticationDefaults.AuthenticationScheme, null, typeof(CookieAuthenticationHandler));
        var context = new CookieValidatePrincipalContext(http, scheme, new CookieAuthenticationOptions(), new AuthenticationTicket(principal, scheme.Name));
        await events.ValidatePrincipal(context);
        return context;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    private sealed class DevelopmentEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "kccrights";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
