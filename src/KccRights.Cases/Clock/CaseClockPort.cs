using Dapper;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Cases;

/// <summary>The workflow runtime's view of a case's clock and row (<see cref="ICaseClock"/>, <see cref="ICaseRows"/>).</summary>
public sealed class CaseClockPort(ClockStore clocks) : ICaseClock, ICaseRows
{
    public string LockCaseOfTaskSql => "SELECT id FROM cases WHERE id = (SELECT case_id FROM workflow_tasks WHERE id = @taskId) FOR UPDATE;\n";

    public string OfficerAssignedSql => "UPDATE cases SET assigned_to = $2 WHERE id = $1 AND status = 'open'";

    public Task<CaseDates?> DatesAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) =>
        ClockStore.DatesAsync(transaction, caseId, cancellationToken);

    public async Task ChangeAsync(NpgsqlTransaction transaction, long caseId, ClockAction action, DateOnly effectiveOn, string reason, string actor, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case ClockAction.Pause:
                // UK GDPR Art 12(6) (identity) and Art 12A(5) (clarification) stop the clock.
                await clocks.PauseAsync(caseId, effectiveOn, reason, actor, transaction, cancellationToken);
                break;
            case ClockAction.Resume:
                await clocks.ResumeAsync(caseId, effectiveOn, actor, transaction, cancellationToken);
                break;
            case ClockAction.Restart:
                // Art 12(6): once ID reasonably asked for arrives, the month restarts from that day.
                await clocks.RecordIdReceivedAsync(caseId, effectiveOn, actor, transaction, cancellationToken);
                break;
            case ClockAction.Extend:
                // Art 12(3): two further months, once.
                await clocks.ExtendAsync(caseId, reason, actor, notifiedAt: null, transaction, cancellationToken);
                break;
            case ClockAction.Close:
                await clocks.CloseAsync(caseId, actor, transaction, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown clock change.");
        }
    }
}

/// <summary>The SQL the queues share for the one definition of overdue (<see cref="CaseDates.IsOverdue"/>).</summary>
public static class CaseDeadlineSql
{
    /// <summary>For a case_clocks row aliased <c>k</c> and a parameter <c>@today</c>.</summary>
    public const string Overdue = "(k.is_open AND NOT k.is_paused AND k.effective_due_on < @today)";

    /// <summary>The columns of <see cref="CaseDates"/> from a case_clocks row aliased <c>k</c>.</summary>
    public const string DatesColumns =
        """
        k.case_id, k.received_at, k.received_on, k.id_received_on, k.fee_paid_on, k.clock_start, k.paused_days, k.is_paused,
        k.due_on, k.notice_by, k.extended_due_on, k.extended, k.effective_due_on, k.is_open
        """;
}
