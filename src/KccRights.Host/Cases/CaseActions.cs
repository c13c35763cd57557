using System.Security.Claims;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Staff;
using Npgsql;

namespace KccRights.Host.Cases;

/// <summary>A request opened by hand: a request by letter, phone or in person is valid, with its real received date.</summary>
public sealed record NewCaseRequest
{
    public required Right Right { get; init; }
    public required string Channel { get; init; }
    public required DateOnly ReceivedOn { get; init; }
    public string? RequesterName { get; init; }
    public string? RequesterEmail { get; init; }
    public string? Relationship { get; init; }
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
public sealed class CaseActions(NpgsqlDataSource dataSource, ClockStore clocks, AuditLog audit, TimeProvider time)
{
    public async Task<CaseReference?> OpenByHandAsync(NewCaseRequest request, Actor actor, Guid? formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
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

        var (id, reference) = await CaseStore.CreateAsync(transaction, request.Right, request.ReceivedOn.Year, request.Channel, cancellationToken);
        var receivedAt = new DateTimeOffset(request.ReceivedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await clocks.OpenAsync(transaction, id, receivedAt, request.ReceivedOn, actor.Subject, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO case_parties (case_id, requester_name, requester_email, relationship, subject_name, summary)
            VALUES (@id, @RequesterName, @RequesterEmail, @Relationship, @SubjectName, @Summary)
            """,
            new { id, request.RequesterName, request.RequesterEmail, request.Relationship, request.SubjectName, request.Summary },
            transaction,
            cancellationToken: cancellationToken));
        await audit.RecordAsync(actor.Subject, actor.Role, "case.opened-by-hand", id, detail: new { channel = request.Channel }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return reference;
    }

    /// <summary>UK GDPR Art 12A(5): asking for clarification stops the clock from the day asked.</summary>
    public Task PauseAsync(long caseId, DateOnly from, string reason, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, "clock.paused", new { from }, (tx, ct) => clocks.PauseAsync(caseId, from, reason, actor.Subject, tx, ct), cancellationToken);

    /// <summary>UK GDPR Art 12A(5): the answer restarts the clock; the day it arrives does not count.</summary>
    public Task ResumeAsync(long caseId, DateOnly on, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, "clock.resumed", new { on }, (tx, ct) => clocks.ResumeAsync(caseId, on, actor.Subject, tx, ct), cancellationToken);

    /// <summary>UK GDPR Art 12(3): extension by two months with reasons, told to the requester within the first month.</summary>
    public Task ExtendAsync(long caseId, string reason, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, "clock.extended", new { }, (tx, ct) => clocks.ExtendAsync(caseId, reason, actor.Subject, null, tx, ct), cancellationToken);

    public Task CloseAsWithdrawnAsync(long caseId, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, "case.withdrawn", new { }, async (tx, ct) =>
        {
            await clocks.CloseAsync(caseId, actor.Subject, tx, ct);
            await tx.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE cases SET status = 'closed', closed_at = @now WHERE id = @caseId", new { caseId, now = time.GetUtcNow() }, tx, cancellationToken: ct));
        }, cancellationToken);

    public Task AssignAsync(long caseId, string? officer, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, officer == actor.Subject ? "case.claimed" : "case.assigned", new { officer }, async (tx, ct) =>
        {
            var updated = await tx.Connection!.ExecuteAsync(new CommandDefinition(
                "UPDATE cases SET assigned_to = @officer WHERE id = @caseId AND status = 'open'", new { caseId, officer }, tx, cancellationToken: ct));
            if (updated == 0)
            {
                throw new ClockChangeRefusedException("Only an open case can be assigned.");
            }
        }, cancellationToken);

    public Task AddNoteAsync(long caseId, string body, Actor actor, Guid? formToken, CancellationToken cancellationToken = default) =>
        InTransactionAsync(caseId, actor, formToken, "case.note-added", new { }, (tx, ct) => tx.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO case_notes (case_id, author, body, created_at) VALUES (@caseId, @author, @body, @now)",
            new { caseId, author = actor.Name, body, now = time.GetUtcNow() },
            tx,
            cancellationToken: ct)), cancellationToken);

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
