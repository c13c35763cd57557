using System.Globalization;
using System.Text;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// The service is killed with SIGKILL twice while a burst of requests is being read, stored and acknowledged; after
/// the last restart every message is stored once, every request is one case, and every acknowledgement was recorded
/// once: nothing lost, nothing doubled. Uses a shared PostgreSQL so the database outlives the killed processes.
/// </summary>
[NonParallelizable]
public class IntakeCrashTests
{
    private const string Mailbox = "data.protection@kent.gov.uk";
    private const string Requester = "crash.test@example.com";
    private const int Requests = 40;

    [Test]
    public async Task ServiceKilledDuringIntake_RestartLeavesNoDuplicateAndNoLostMessage()
    {
        await using var mail = await MailServers.StartAsync([Mailbox, Requester]);
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-crash-" + Guid.NewGuid().ToString("N")[..12]);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Database"] = connectionString,
            ["Intake__Mailbox__Host"] = MailServers.Host,
            ["Intake__Mailbox__Port"] = mail.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["Intake__Mailbox__Tls"] = "None",
            ["Intake__Mailbox__Username"] = Mailbox,
            ["Intake__Mailbox__Password"] = MailServers.Password,
            ["Intake__Mailbox__BatchSize"] = "5",
            ["Intake__Smtp__Host"] = MailServers.Host,
            ["Intake__Smtp__Port"] = mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Intake__Smtp__Tls"] = "None",
        };

        try
        {
            for (var i = 0; i < Requests; i++)
            {
                await RawSmtp.SendAsync(MailServers.Host, mail.SmtpPort, Requester, Mailbox, Encoding.UTF8.GetBytes(Request(i)));
            }

            // Two kills at different points of the burst, then a last run that finishes the work.
            var acknowledgedAtKill = new List<long>();
            foreach (var killAfter in new[] { 3L, 17L })
            {
                var service = await ServiceProcess.StartAsync(dataDirectory, demo: false, environment);
                await WaitUntilAsync(connectionString, "SELECT count(*) FROM inbound_messages", n => n >= killAfter, TimeSpan.FromSeconds(90));
                await service.KillAsync();
                await service.DisposeAsync();
                acknowledgedAtKill.Add(await ScalarAsync(connectionString, "SELECT count(*) FROM outbound_messages"));
            }

            TestContext.Out.WriteLine($"acknowledgements recorded at the kills: {string.Join(", ", acknowledgedAtKill)} of {Requests}");
            Assert.That(acknowledgedAtKill[0], Is.LessThan(Requests), "the first kill interrupted the work");

            await using (var last = await ServiceProcess.StartAsync(dataDirectory, demo: false, environment))
            {
                await WaitUntilAsync(connectionString, "SELECT count(*) FROM outbound_messages WHERE purpose = 'acknowledgement'", n => n >= Requests, TimeSpan.FromSeconds(120));
            }

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            async Task<long> Count(string sql)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                return (long)(await command.ExecuteScalarAsync())!;
            }

            Assert.Multiple(async () =>
            {
                Assert.That(await Count("SELECT count(*) FROM inbound_messages"), Is.EqualTo(Requests), "each message stored exactly once");
                Assert.That(await Count("SELECT count(DISTINCT message_id) FROM inbound_messages"), Is.EqualTo(Requests));
                Assert.That(await Count("SELECT count(*) FROM cases"), Is.EqualTo(Requests), "each request is one case");
                Assert.That(await Count("SELECT count(*) FROM case_clocks"), Is.EqualTo(Requests));
                Assert.That(await Count("SELECT count(*) FROM workflow_instances"), Is.EqualTo(Requests));
                Assert.That(await Count("SELECT count(*) FROM outbound_messages WHERE purpose = 'acknowledgement'"), Is.EqualTo(Requests), "each acknowledgement recorded once");
                Assert.That(await Count("SELECT count(*) FROM inbound_messages WHERE status = 'received'"), Is.Zero, "nothing left unprocessed");
            });

            // The mailbox: every request was moved out of the inbox once handled.
            var delivered = await mail.WaitForNewMessagesAsync(Requester, Requests, TimeSpan.FromSeconds(30));
            Assert.That(delivered, Has.Count.GreaterThanOrEqualTo(Requests), "every requester got an acknowledgement");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static string Request(int i) =>
        $"""
        From: Crash Tester {i} <{Requester}>
        To: {Mailbox}
        Subject: Subject access request {i}
        Message-ID: <crash-{i}-{Guid.NewGuid():N}@example.com>
        Date: {DateTimeOffset.UtcNow:R}
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        Dear Sir or Madam,

        Under the UK GDPR I would like a copy of all the personal information Kent County Council holds about me.

        Name: Crash Tester {i}
        Date of birth: 14/03/1997

        Kind regards

        """.ReplaceLineEndings("\r\n");

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitUntilAsync(string connectionString, string sql, Func<long, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                var value = (long)(await command.ExecuteScalarAsync())!;
                if (done(value))
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"Timed out: {sql} is {value}");
                }
            }

            await Task.Delay(100);
        }
    }
}
