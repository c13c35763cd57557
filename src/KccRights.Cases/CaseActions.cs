using System.Globalization;
using System.Security.Claims;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Staff;
using System.Text.Json;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Cases;

/// <summary>A request opened by hand: a request by letter, phone or in person is valid, with its real received date.</summary>
public sealed record NewCaseRequest
{
    public required Right Right { get; init; }
    public required string Channel { get; init; }
    public required DateOnly ReceivedOn { get; init; }
    public string? RequesterName { get; init; }
    public string? RequesterEmail { get; init; }
    public required string Relationship { get; init; }
    public string? SubjectName { get; init; }
    public string? Summary { get; init; }
}

/// <summary>Who is acting, from their sign-in or API token.</summary>
public sealed record Actor(string Subject, string Name, string Role, string? Team)
{
    public static Actor From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new Actor(
            user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown",
            user.Identity?.Name ?? "unknown",
            user.FindFirstValue(ClaimTypes.Role) ?? "none",
            user.FindFirstValue(StaffClaims.Team));
    }

    /// <summary>Case workers see whole cases; record-owners see only their team's tasks and items (issue 5).</summary>
    public bool MaySeeWholeCases => Role is StaffRoles.Officer or StaffRoles.Dpo or StaffRoles.Admin or StaffRoles.Auditor;

    public bool MayChangeCases => Role is StaffRoles.Officer or StaffRoles.Dpo or StaffRoles.Admin;
}

public static class StaffClaims
{
    public const string Team = "kcc:team";
}

/// <summary>
/// The state-changing operations on a case, shared by the web pages and the API. Each runs in one transaction with its
/// audit entry, and a form token (when given) makes a repeated submission a no-op.
/// </summary>
public sealed class CaseActions(NpgsqlDataSource dataSource, ClockStore clocks, CaseOpener opener, AuditLog audit, IWorkflowEngine workflows, TimeProvider time, IEnumerable<ITaskCompletionHook> completionHooks)
{
    public async Task<CaseReference?> OpenByHandAsync(NewCaseRequest request, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        CheckLengths(request);
        if (request.ReceivedOn > LondonTime.Today(time))
        {
            throw new ClockChangeRefusedException("The received date cannot be in the future.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (formToken is { } token && !await StaffStore.ClaimFormTokenAsync(transaction, token, actor.Subject, cancellationToken))
        {
            return null;
        }

        var reference = await OpenInTransactionAsync(transaction, request, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return reference;
    }

    /// <summary>
    /// Opens a case once for an API client's Idempotency-Key (issue 9 item 11): the key is recorded with the request's
    /// hash and the new reference in the case's own transaction. A repeat - even in parallel, when its insert waits on
    /// the first's key - gets the first's reference; a repeat with another body is refused. If the first fails, its key
    /// goes with it and a retry opens the case.
    /// </summary>
    public async Task<(string Reference, bool Repeated)> OpenByHandOnceAsync(NewCaseRequest request, Actor actor, string key, byte[] requestHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        CheckLengths(request);
        if (request.ReceivedOn > LondonTime.Today(time))
        {
            throw new ClockChangeRefusedException("The received date cannot be in the future.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_idempotency_keys (user_subject, idempotency_key, request_hash, case_reference)
            VALUES (@subject, @key, @requestHash, '') ON CONFLICT DO NOTHING
            """,
            new { subject = actor.Subject, key, requestHash },
            transaction,
            cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            var earlier = await connection.QuerySingleAsync<IdempotencyRow>(new CommandDefinition(
                "SELECT request_hash, case_reference FROM api_idempotency_keys WHERE user_subject = @subject AND idempotency_key = @key",
                new { subject = actor.Subject, key },
                transaction,
                cancellationToken: cancellationToken));
            return earlier.RequestHash.AsSpan().SequenceEqual(requestHash)
                ? (earlier.CaseReference, true)
                : throw new IdempotencyKeyReusedException("This Idempotency-Key was used for a different request.");
        }

        var reference = await OpenInTransactionAsync(transaction, request, actor, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_idempotency_keys SET case_reference = @reference WHERE user_subject = @subject AND idempotency_key = @key",
            new { subject = actor.Subject, key, reference = reference.ToString() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (reference.ToString(), false);
    }

    private sealed class IdempotencyRow
    {
        public byte[] RequestHash { get; init; } = [];
        public string CaseReference { get; init; } = "";
    }

    private async Task<CaseReference> OpenInTransactionAsync(NpgsqlTransaction transaction, NewCaseRequest request, Actor actor, CancellationToken cancellationToken)
    {
        // A request by letter, phone or in person counts from the day it was received (LEGAL-RULES.md section 1): the
        // officer gives that date, and the case records an instant on it (now, if it is today).
        var opened = await opener.OpenAsync(
            transaction,
            new OpenCaseCommand
            {
                Right = request.Right,
                Channel = request.Channel,
                ReceivedAt = LondonTime.ReceivedInstant(request.ReceivedOn, time),
                Actor = actor.Subject,
                Relationship = request.Relationship,

                // Issue 9 Build 6: the requester and subject are sealed, never kept in plain text (migration 0083).
                Parties = new CaseRequestParties
                {
                    RequesterName = request.RequesterName,
                    RequesterEmail = request.RequesterEmail,
                    SubjectName = request.SubjectName,
                },
            },
            cancellationToken);
        var (id, reference) = (opened.Id, opened.Reference);
        if (request.Summary is { Length: > 0 } summary)
        {
            await opener.AddNoteAsync(transaction, id, actor.Name, "What they asked for: " + summary, cancellationToken);
        }

        // The right's workflow runs the case from here, exactly as for an emailed request.
        await opener.StartWorkflowAsync(transaction, opened, null, actor.Subject, cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, "case.opened-by-hand", id, detail: new { channel = request.Channel }, transaction: transaction, cancellationToken: cancellationToken);
        return reference;
    }

    // A case with a running workflow has its clock changed by the workflow, so the two never disagree and its reminders
    // follow the dates. For such a case the actions below go through the workflow, as the case page's buttons do; the
    // direct clock changes are for cases without one.

    /// <summary>UK GDPR Art 12A(5): asking for clarification stops the clock from the day asked.</summary>
    public async Task PauseAsync(long caseId, DateOnly from, string reason, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        CaseInput.Check((reason, CaseInput.MaxReason, "The reason"));
        if (await WorkflowRunsAsync(caseId, cancellationToken))
        {
            throw new ClockChangeRefusedException("This case's workflow asks for clarification from its triage task, and pauses the clock when it does.");
        }

        await InTransactionAsync(caseId, actor, formToken, "clock.paused", new { from }, async (tx, ct) =>
        {
            await RefuseWhileWorkflowRunsAsync(tx, caseId, ct);
            await clocks.PauseAsync(caseId, from, reason, actor.Subject, tx, ct);
        }, cancellationToken);
    }

    /// <summary>UK GDPR Art 12A(5): the answer restarts the clock; the day it arrives does not count.</summary>
    public async Task ResumeAsync(long caseId, DateOnly on, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        if (await WorkflowRunsAsync(caseId, cancellationToken))
        {
            await RaiseOrRefuseAsync(caseId, "clarification-received", new { on = on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, actor, formToken, cancellationToken);
            return;
        }

        await InTransactionAsync(caseId, actor, formToken, "clock.resumed", new { on }, async (tx, ct) =>
        {
            await RefuseWhileWorkflowRunsAsync(tx, caseId, ct);
            await clocks.ResumeAsync(caseId, on, actor.Subject, tx, ct);
        }, cancellationToken);
    }

    /// <summary>
    /// UK GDPR Art 12(3): extension by two months with reasons, told to the requester within the first month. With a
    /// workflow, the request goes to the DPO for sign-off first.
    /// </summary>
    public async Task ExtendAsync(long caseId, string reason, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        CaseInput.Check((reason, CaseInput.MaxReason, "The reason"));
        if (await WorkflowRunsAsync(caseId, cancellationToken))
        {
            await RaiseOrRefuseAsync(caseId, "extension-requested", new { reason }, actor, formToken, cancellationToken);
            return;
        }

        await InTransactionAsync(caseId, actor, formToken, "clock.extended", new { }, async (tx, ct) =>
        {
            await RefuseWhileWorkflowRunsAsync(tx, caseId, ct);
            await clocks.ExtendAsync(caseId, reason, actor.Subject, null, tx, ct);
        }, cancellationToken);
    }

    public async Task CloseAsWithdrawnAsync(long caseId, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        if (await WorkflowRunsAsync(caseId, cancellationToken))
        {
            await RaiseOrRefuseAsync(caseId, "withdrawn", null, actor, formToken, cancellationToken);
            return;
        }

        await InTransactionAsync(caseId, actor, formToken, "case.withdrawn", new { }, async (tx, ct) =>
        {
            await RefuseWhileWorkflowRunsAsync(tx, caseId, ct);

            // The case row before its clock: the order the workflow runtime takes them in.
            await tx.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE cases SET status = 'closed', closed_at = @now WHERE id = @caseId", new { caseId, now = time.GetUtcNow() }, tx, cancellationToken: ct));
            await clocks.CloseAsync(caseId, actor.Subject, tx, ct);
        }, cancellationToken);
    }

    private async Task<bool> WorkflowRunsAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM workflow_instances WHERE case_id = @caseId AND status = 'running')", new { caseId }, cancellationToken: cancellationToken));
    }

    private async Task RaiseOrRefuseAsync(long caseId, string eventName, object? data, Actor actor, Guid? formToken, CancellationToken cancellationToken)
    {
        if (!await RaiseAsync(caseId, eventName, data, actor, formToken, cancellationToken))
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var state = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT state FROM workflow_instances WHERE case_id = @caseId ORDER BY id DESC LIMIT 1", new { caseId }, cancellationToken: cancellationToken));
            throw ClockChangeRefusedException.Conflict($"The case's workflow does not take that at its current stage ({state}).");
        }
    }

    /// <summary>Inside the direct change's transaction: a workflow started on the case meanwhile means no direct change.</summary>
    private static async Task RefuseWhileWorkflowRunsAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        if (await transaction.Connection!.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM workflow_instances WHERE case_id = @caseId AND status = 'running')", new { caseId }, transaction, cancellationToken: cancellationToken)))
        {
            throw ClockChangeRefusedException.Conflict("This case's workflow keeps its clock: use its actions.");
        }
    }

    /// <summary>
    /// Assigns the case to an active member of staff whose role may hold a case (officer, DPO or admin), or to no one
    /// (null). Anyone else - an unknown id, an auditor, a record-owner, someone deactivated - is refused, checked in the
    /// same transaction as the change (issue 9 item 6).
    /// </summary>
    public Task AssignAsync(long caseId, string? officer, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, officer == actor.Subject ? "case.claimed" : "case.assigned", new { officer }, async (tx, ct) =>
        {
            if (officer is not null && !await MayHoldCasesAsync(tx, officer, ct))
            {
                throw new CaseInputException("Choose an active officer, DPO or admin: that person cannot be assigned cases.");
            }

            var updated = await tx.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE cases SET assigned_to = @officer WHERE id = @caseId AND status = 'open'", new { caseId, officer }, tx, cancellationToken: ct));
            if (updated == 0)
            {
                throw ClockChangeRefusedException.Conflict("Only an open case can be assigned.");
            }

            // Its workflow follows: reminders and the open officer task go to the new officer.
            await ((WorkflowEngine)workflows).AssignCaseAsync(tx, caseId, officer, actor.Subject, ct);
        }, cancellationToken);

    public Task AddNoteAsync(long caseId, string body, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        CaseInput.TooLong(body, CaseInput.MaxNote, "The note") is { } tooLong ? Task.FromException(new CaseInputException(tooLong)) : InTransactionAsync(caseId, actor, formToken, "case.note-added", new { }, (tx, ct) => opener.AddNoteAsync(tx, caseId, actor.Name, body, ct), cancellationToken);

    /// <summary>
    /// Completes a workflow task with one of its outcomes; the outcome moves the case on. Officers' tasks are for case
    /// workers, the DPO's for the DPO (the engine refuses a sign-off by the task's own preparer), record-owners' tasks
    /// for that team. The actor must have taken the task, or take it in this action (<paramref name="take"/>): a task is
    /// never completed untaken (issue 14 item 4).
    /// </summary>
    public Task CompleteTaskAsync(CaseTask task, string outcome, JsonElement data, Actor actor, bool take, Guid? formToken, CancellationToken cancellationToken = default) =>
        CompleteTaskAsync(task, outcome, data, actor, take, formToken, null, cancellationToken);

    /// <summary>
    /// Completes a task as above and, in the same transaction, runs <paramref name="thenInTransaction"/> after the
    /// runtime has completed it and before the audit entry and COMMIT (a module recording what the task produced, such
    /// as a manual search's uploads). If it throws, nothing is stored: the task stays open.
    /// </summary>
    public async Task CompleteTaskAsync(CaseTask task, string outcome, JsonElement data, Actor actor, bool take, Guid? formToken, Func<NpgsqlTransaction, CancellationToken, Task>? thenInTransaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(actor);
        if (!MayWorkOn(task, actor))
        {
            await audit.RecordAsync(actor.Subject, actor.Role, "task.completed", task.CaseId, allowed: false, detail: new { task = task.Id }, cancellationToken: cancellationToken);
            throw new UnauthorizedAccessException("This task is not for your role or team.");
        }

        if (!task.Outcomes.Contains(outcome))
        {
            throw new ClockChangeRefusedException("Choose one of the task's outcomes.");
        }

        foreach (var hook in completionHooks)
        {
            if (await hook.RefusalAsync(task, outcome, data, actor, cancellationToken) is { } refusal)
            {
                throw new ClockChangeRefusedException(refusal);
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (formToken is { } token && !await StaffStore.ClaimFormTokenAsync(transaction, token, actor.Subject, cancellationToken))
        {
            return;
        }

        try
        {
            await ((WorkflowEngine)workflows).CompleteTaskAsync(transaction, task.Id, outcome, data, actor.Subject, take, cancellationToken);
        }
        catch (WorkflowException ex)
        {
            throw new ClockChangeRefusedException(ex.Message, ex);
        }

        foreach (var hook in completionHooks)
        {
            await hook.CompletedAsync(transaction, task, outcome, data, actor, cancellationToken);
        }

        if (thenInTransaction is not null)
        {
            await thenInTransaction(transaction, cancellationToken);
        }

        await audit.RecordAsync(actor.Subject, actor.Role, "task.completed", task.CaseId, detail: new { task = task.Id, type = task.Type, outcome, taken = take }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task ClaimTaskAsync(CaseTask task, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(actor);
        if (!MayWorkOn(task, actor))
        {
            await audit.RecordAsync(actor.Subject, actor.Role, "task.claimed", task.CaseId, allowed: false, detail: new { task = task.Id }, cancellationToken: cancellationToken);
            throw new UnauthorizedAccessException("This task is not for your role or team.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (formToken is { } token && !await StaffStore.ClaimFormTokenAsync(transaction, token, actor.Subject, cancellationToken))
        {
            return;
        }

        await ((WorkflowEngine)workflows).AssignTaskAsync(transaction, task.Id, actor.Subject, actor.Subject, cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, "task.claimed", task.CaseId, detail: new { task = task.Id }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Raises an event on the case's running workflow (an extension request, a clarification answer, a withdrawal):
    /// the workflow, not the page, changes the clock, so the two never disagree. False when the current state takes no
    /// such event.
    /// </summary>
    public async Task<bool> RaiseAsync(long caseId, string eventName, object? data, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.MayChangeCases)
        {
            await audit.RecordAsync(actor.Subject, actor.Role, "workflow." + eventName, caseId, allowed: false, cancellationToken: cancellationToken);
            throw new UnauthorizedAccessException("Your role cannot change cases.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (formToken is { } token && !await StaffStore.ClaimFormTokenAsync(transaction, token, actor.Subject, cancellationToken))
        {
            return true;
        }

        // The step, its audit record and COMMIT in one round trip.
        return await workflows.RaiseAndCommitAsync(
            transaction,
            caseId,
            eventName,
            data is null ? null : JsonSerializer.SerializeToElement(data),
            actor.Subject,
            raised => [audit.Command(actor.Subject, actor.Role, "workflow." + eventName, caseId, allowed: raised)],
            cancellationToken);
    }

    /// <summary>Sends a record-owner task to the team that owns the source system.</summary>
    public Task SendTaskToTeamAsync(CaseTask task, string team, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(task.CaseId, actor, formToken, "task.sent-to-team", new { task = task.Id, team }, async (tx, ct) =>
        {
            if (!await TaskTeams.SendToTeamAsync(tx, task.Id, team, ct))
            {
                throw ClockChangeRefusedException.Conflict("Only an open record-owner task can be sent to a team.");
            }
        }, cancellationToken);

    private static Task<bool> MayHoldCasesAsync(NpgsqlTransaction transaction, string subject, CancellationToken cancellationToken) =>
        subject.Length > CaseInput.MaxSubject
            ? Task.FromResult(false)
            : transaction.Connection!.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM staff_users WHERE subject = @subject AND active AND role = ANY(@roles))",
                new { subject, roles = CaseInput.CaseHolderRoles.ToArray() },
                transaction,
                cancellationToken: cancellationToken));

    private static void CheckLengths(NewCaseRequest request) => CaseInput.Check(
        (request.RequesterName, CaseInput.MaxName, "The requester's name"),
        (request.RequesterEmail, CaseInput.MaxEmail, "The requester's email address"),
        (request.SubjectName, CaseInput.MaxName, "The data subject's name"),
        (request.Summary, CaseInput.MaxSummary, "What they asked for"));

    public static bool MayWorkOn(CaseTask task, Actor actor) => task.Role switch
    {
        StaffRoles.Officer => actor.MayChangeCases,
        StaffRoles.Dpo => actor.Role is StaffRoles.Dpo or StaffRoles.Admin,
        StaffRoles.RecordOwner => (actor.Role == StaffRoles.RecordOwner && task.Team is not null && task.Team == actor.Team) || actor.MayChangeCases,
        _ => false,
    };

    private async Task InTransactionAsync(long caseId, Actor actor, Guid? formToken, string action, object detail, Func<NpgsqlTransaction, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.MayChangeCases)
        {
            await audit.RecordAsync(actor.Subject, actor.Role, action, caseId, allowed: false, cancellationToken: cancellationToken);
            throw new UnauthorizedAccessException("Your role cannot change cases.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (formToken is { } token && !await StaffStore.ClaimFormTokenAsync(transaction, token, actor.Subject, cancellationToken))
        {
            return; // The same form submitted twice: the first submission did the work.
        }

        await work(transaction, cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, action, caseId, detail: detail, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
