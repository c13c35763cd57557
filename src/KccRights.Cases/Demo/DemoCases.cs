using KccRights.Infrastructure.Staff;
using Microsoft.Extensions.Hosting;

namespace KccRights.Cases;

/// <summary>
/// The demonstration users, for <c>serve --demo</c>. The demonstration cases are opened by the host from example emails,
/// through intake (KccRights.Host/Demo/DemoRequests.cs), so they have a requester, a workflow and their letters.
/// </summary>
public sealed class DemoCases(StaffStore staff) : IHostedService
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
