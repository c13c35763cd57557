using Dapper;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Cases;

public sealed record CaseTask
{
    public long Id { get; init; }
    public string Type { get; init; } = "";
    public string Role { get; init; } = "";
    public string? Team { get; init; }
    public string Title { get; init; } = "";
    public string Form { get; init; } = "[]";
    public string[] Outcomes { get; init; } = [];
    public string? Assignee { get; init; }
    public string Status { get; init; } = "";
    public DateOnly? DueOn { get; init; }
    public string? Outcome { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? CompletedBy { get; init; }
    public long CaseId { get; init; }
    public string Reference { get; init; } = "";
    public DateOnly? CaseDueOn { get; init; }

    /// <summary>Four eyes: the task type or event whose actor may not complete this task (see <see cref="FourEyes"/>).</summary>
    public string? NotBySameActorAs { get; init; }

    /// <summary>The answers given with the outcome (the form's fields), as stored: a JSON object, or null.</summary>
    public string? OutcomeData { get; init; }
}

public sealed record TimelineEntry(DateTimeOffset At, string Title, string By, string Text);

public sealed record CaseMessage
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Direction { get; init; } = "";
    public string Role { get; init; } = "";
    public string? Subject { get; init; }
    public int? SizeBytes { get; init; }
}

public sealed record LinkedCase(string Reference, string LinkType);

/// <summary>
/// What the case page shows beyond the clock: the workflow's tasks and log, emails in and out, linked cases. It reads
/// across the modules' tables (intake, workflow runtime) without changing them.
/// </summary>
public sealed class CaseTimeline(NpgsqlDataSource dataSource)
{
    public const string TaskColumns =
        """
        t.id, t.type, t.role, t.team, t.title, t.form::text AS form, t.outcomes, t.assignee, t.status, t.due_on, t.outcome,
        t.created_at, t.completed_at, t.completed_by, t.case_id, c.reference, t.not_by_same_actor_as, t.outcome_data::text AS outcome_data
        """;

    public async Task<IReadOnlyList<CaseTask>> TasksAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CaseTask>(new CommandDefinition(
            $"SELECT {TaskColumns} FROM workflow_tasks t JOIN cases c ON c.id = t.case_id WHERE t.case_id = @caseId AND t.status <> 'cancelled' ORDER BY t.id",
            new { caseId },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<CaseTask?> TaskAsync(long taskId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CaseTask>(new CommandDefinition(
            $"SELECT {TaskColumns} FROM workflow_tasks t JOIN cases c ON c.id = t.case_id WHERE t.id = @taskId",
            new { taskId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Open tasks for a queue, oldest statutory due date first: read in the order of the open clocks' due-date index,
    /// so the first page is found without sorting every open task. Record-owners see only their team's tasks; officers see
    /// officer and record-owner tasks; the DPO also sees sign-offs.
    /// </summary>
    public async Task<IReadOnlyList<CaseTask>> OpenTasksAsync(Actor actor, string view, string? type, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var roles = actor.Role switch
        {
            "record-owner" => new[] { "record-owner" },
            "dpo" or "admin" => ["officer", "record-owner", "dpo"],
            _ => ["officer", "record-owner"],
        };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CaseTask>(new CommandDefinition(
            $"""
            SELECT {TaskColumns}, k.effective_due_on AS case_due_on
            FROM case_clocks k
            JOIN workflow_tasks t ON t.case_id = k.case_id AND t.status = 'open'
            JOIN cases c ON c.id = t.case_id
            WHERE k.is_open AND t.role = ANY(@roles)
              AND (@team::text IS NULL OR t.team = @team)
              AND (@view <> 'mine' OR t.assignee = @me)
              AND (@view <> 'unassigned' OR t.assignee IS NULL)
              AND (@type::text IS NULL OR t.type = @type)
            ORDER BY k.effective_due_on, k.case_id, t.id
            LIMIT @limit
            """,
            new { roles, team = actor.Role == "record-owner" ? actor.Team ?? "" : null, view, me = actor.Subject, type, limit },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Why <paramref name="actor"/> may not complete the open task (four eyes), in words, or null: the task card then
    /// shows the reason instead of a form the runtime would refuse (issue 14 item 3).
    /// </summary>
    public async Task<string?> FourEyesRefusalAsync(CaseTask task, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.NotBySameActorAs is null || task.Status != "open")
        {
            return null;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FourEyes.RefusalAsync(connection, null, task.Id, actor, cancellationToken);
    }

    /// <summary>
    /// The workflow's log as timeline entries in words: stages, outcomes, events and kinds by their labels
    /// (<see cref="WorkflowLabels"/>), never their ids. <see cref="TimelineEntry.By"/> is the actor's id, for the page
    /// to show by name.
    /// </summary>
    public async Task<IReadOnlyList<TimelineEntry>> WorkflowLogAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LogRow>(new CommandDefinition(
            "SELECT at, kind, from_state, to_state, event, actor, detail->>'action' AS clock_action, detail->>'summary' AS summary FROM workflow_log WHERE case_id = @caseId ORDER BY id",
            new { caseId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new TimelineEntry(r.At, Title(r), r.Actor, Text(r))).ToList();
    }

    private static string Title(LogRow r) => r.Kind switch
    {
        "transition" => $"Stage: {WorkflowLabels.State(r.ToState)}",
        "clock" => WorkflowLabels.ClockAction(r.ClockAction),
        _ => WorkflowLabels.LogKind(r.Kind),
    };

    private static string Text(LogRow r) => r.Kind switch
    {
        "started" => r.ToState is null ? "" : $"First stage: {WorkflowLabels.State(r.ToState)}",
        "transition" => string.Join(", ", new[]
        {
            r.Event is null ? null : $"after \u201c{WorkflowLabels.Event(r.Event)}\u201d",
            r.FromState is null ? null : $"from {WorkflowLabels.State(r.FromState)}",
        }.OfType<string>()),
        "task-completed" => r.Event is null ? "" : $"Outcome: {WorkflowLabels.Outcome(r.Event)}",
        // Issue 13 Build 6: what went to the requester (method, PDF sha256 and pages, the Art 15 contents).
        "response-dispatched" => r.Summary ?? "",
        "ignored" => r.Event is null ? "" : $"\u201c{WorkflowLabels.Event(r.Event)}\u201d does not apply at {WorkflowLabels.State(r.FromState)}",
        _ => r.FromState is null ? "" : $"At {WorkflowLabels.State(r.FromState)}",
    };

    private sealed record LogRow
    {
        public DateTimeOffset At { get; init; }
        public string Kind { get; init; } = "";
        public string? FromState { get; init; }
        public string? ToState { get; init; }
        public string? Event { get; init; }
        public string Actor { get; init; } = "";
        public string? ClockAction { get; init; }
        public string? Summary { get; init; }
    }

    public async Task<IReadOnlyList<CaseMessage>> MessagesAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CaseMessage>(new CommandDefinition(
            """
            SELECT m.id, m.received_at AS at, 'in' AS direction, mc.role, NULL AS subject, m.size_bytes
            FROM messages_cases mc JOIN inbound_messages m ON m.id = mc.inbound_message_id WHERE mc.case_id = @caseId
            UNION ALL
            SELECT o.id, o.sent_at, 'out', o.purpose, o.subject, NULL FROM outbound_messages o WHERE o.case_id = @caseId
            UNION ALL
            -- A reply from the triage inbox to a message now attached to this case (issue 14 item 1), sent or still queued.
            SELECT r.id, coalesce(r.sent_at, r.queued_at), CASE WHEN r.sent_at IS NULL THEN 'queued' ELSE 'out' END, 'Reply from triage', r.subject, NULL
            FROM correspondence_triage_replies r JOIN messages_cases mc ON mc.inbound_message_id = r.inbound_message_id
            WHERE mc.case_id = @caseId
            ORDER BY 2
            """,
            new { caseId },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<LinkedCase>> LinkedCasesAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LinkedCase>(new CommandDefinition(
            "SELECT c.reference, l.link_type FROM case_links l JOIN cases c ON c.id = l.linked_case_id WHERE l.case_id = @caseId ORDER BY c.reference",
            new { caseId },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>True when the inbound message belongs to the case (so a link cannot be used to read another case's mail).</summary>
    public async Task<bool> MessageBelongsToCaseAsync(long messageId, long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM messages_cases WHERE inbound_message_id = @messageId AND case_id = @caseId)",
            new { messageId, caseId },
            cancellationToken: cancellationToken));
    }
}
