using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Staff;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Cases;

/// <summary>Seeds a handful of demonstration cases (no real people) into an empty database, for <c>serve --demo</c>.</summary>
public sealed partial class DemoCases(NpgsqlDataSource dataSource, CaseOpener opener, ClockStore clocks, StaffStore staff, TimeProvider time, ILogger<DemoCases> logger) : IHostedService
{
    /// <summary>One demonstration user per role (and two record-owner teams), for the Development sign-in page.</summary>
    public static readonly (string Subject, string Name, string Role, string? Team)[] DemoUsers =
    [
        ("demo-officer", "Olivia Officer", StaffRoles.Officer, null),
        ("demo-officer-2", "Oscar Officer", StaffRoles.Officer, null),
        ("demo-dpo", "Dana DPO", StaffRoles.Dpo, null),
        ("demo-early-help", "Ravi Owner", StaffRoles.RecordOwner, "Early Help"),
        ("demo-send", "Sam Owner", StaffRoles.RecordOwner, "SEND"),
        ("demo-admin", "Ada Admin", StaffRoles.Admin, null),
        ("demo-auditor", "Aud Itor", StaffRoles.Auditor, null),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (subject, name, role, team) in DemoUsers)
        {
            await staff.UpsertAsync(subject, name, $"{subject}@example.kent.gov.uk", role, team, cancellationToken);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases") > 0)
        {
            return;
        }

        var today = LondonTime.Today(time);
        (Right Right, int DaysAgo, string Channel)[] seeds =
        [
            (Right.Access, 3, "email"),
            (Right.Access, 25, "email"),
            (Right.Erasure, 10, "letter"),
            (Right.Rectification, 40, "email"),
            (Right.Objection, 1, "phone"),
        ];
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ids = new List<long>();
        foreach (var (right, daysAgo, channel) in seeds)
        {
            var received = today.AddDays(-daysAgo);
            var opened = await opener.OpenAsync(
                transaction,
                new OpenCaseCommand { Right = right, Channel = channel, ReceivedAt = LondonTime.At(received, new TimeOnly(10, 0)), Actor = "demo-data" },
                cancellationToken);
            ids.Add(opened.Id);
        }

        // One access request waiting for clarification (UK GDPR Art 12A(5)).
        await clocks.PauseAsync(ids[1], today.AddDays(-5), "Asked which records the request covers", "demo-data", transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.Seeded(logger, ids.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Information, "Seeded {Count} demonstration cases")]
        public static partial void Seeded(ILogger logger, int count);
    }
}
