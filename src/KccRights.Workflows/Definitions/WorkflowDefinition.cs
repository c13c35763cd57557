using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using KccRights.Domain.Cases;

namespace KccRights.Workflows.Definitions;

// The definition model. workflows/*.json are instances of it, and workflows/workflow.schema.json is generated from it
// (WorkflowSchema), so the [Description], [RegularExpression], [Range] and [MinLength] attributes here are what editors
// show and check. Meaning that a schema cannot say (states that exist, names that are registered) is checked by
// Validation/DefinitionValidator.

[Description("The workflow of one data-protection right: its states, what each state does, and how the case moves on.")]
public sealed record WorkflowDefinition
{
    [JsonPropertyName("$schema")]
    [Description("The schema this file follows, for editors: workflow.schema.json.")]
    public string? Schema { get; init; }

    [Description("The definition's id: the file name without .json, kebab-case (e.g. access).")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string Id { get; init; }

    [Description("A short title for people.")]
    [MinLength(1)]
    public required string Title { get; init; }

    [Description("What the workflow is for and the provisions it follows.")]
    public string? Description { get; init; }

    [Description("The right(s) a case must be for to run this workflow.")]
    [MinLength(1)]
    public required IReadOnlyList<Right> Rights { get; init; }

    [Description("The team reminders go to (besides the assigned officer).")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public string Team { get; init; } = "information-resilience-transparency";

    [Description("The state a new instance starts in.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string StartState { get; init; }

    [Description("Timers that run for the whole life of an instance (reminders about the statutory due date), cancelled when it ends.")]
    public IReadOnlyList<TimerDefinition> Timers { get; init; } = [];

    [Description("Transitions available in every non-terminal state (for example: the requester withdraws).")]
    public IReadOnlyList<TransitionDefinition> AnyState { get; init; } = [];

    [Description("The states. Ids are unique within the definition.")]
    [MinLength(1)]
    public required IReadOnlyList<StateDefinition> States { get; init; }
}

[Description("A state of the case. On entry it changes the clock, starts its activity, opens its task and arms its timers, in that order.")]
public sealed record StateDefinition
{
    [Description("The state's id, kebab-case, unique in the definition.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string Id { get; init; }

    [Description("What happens in this state and why; cite the provision.")]
    public string? Description { get; init; }

    [Description("A terminal state ends the instance: open tasks and timers are cancelled.")]
    public bool Terminal { get; init; }

    [Description("A change to the statutory clock made in the same transaction as entering the state.")]
    public ClockChangeDefinition? Clock { get; init; }

    [Description("Background work started on entry: a named C# job handler. Its outcome (or 'done') is raised as an event.")]
    public ActivityDefinition? Activity { get; init; }

    [Description("A task for a person, opened on entry and cancelled if the state is left another way. Its outcome is raised as an event.")]
    public HumanTaskDefinition? Task { get; init; }

    [Description("Timers armed on entry and cancelled when the state is left.")]
    public IReadOnlyList<TimerDefinition> Timers { get; init; } = [];

    [Description("Where the case goes next. The first transition whose event matches and whose condition holds is taken.")]
    public IReadOnlyList<TransitionDefinition> Transitions { get; init; } = [];
}

[Description("event or outcome -> next state, optionally guarded by a named condition.")]
public sealed record TransitionDefinition
{
    [Description("The event or outcome that moves the case (an external event, a task outcome, an activity outcome or a timer event).")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string On { get; init; }

    [Description("The state to move to.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string To { get; init; }

    [Description("A named C# condition that must hold for this transition to be taken.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public string? When { get; init; }

    [Description("Why, for people reading the definition or the diagram.")]
    public string? Description { get; init; }
}

[Description("Background work run as a job by a registered C# handler.")]
public sealed record ActivityDefinition
{
    [Description("The job kind of a registered handler, e.g. send-id-request.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string Kind { get; init; }

    [Description("What the activity does.")]
    public string? Description { get; init; }

    [Description("Extra input passed to the handler in the job payload (as 'input').")]
    public JsonElement? Input { get; init; }
}

[Description("A task for a person.")]
public sealed record HumanTaskDefinition
{
    [Description("The registered task type, e.g. dpo-sign-off.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string Type { get; init; }

    [Description("Who works it.")]
    public required TaskRole Role { get; init; }

    [Description("The task's title in the queue.")]
    [MinLength(1)]
    public required string Title { get; init; }

    [Description("The outcomes a person can choose; each is raised as an event.")]
    [MinLength(1)]
    public required IReadOnlyList<string> Outcomes { get; init; }

    [Description("The fields the person fills in; their values are stored in the instance data.")]
    public IReadOnlyList<FormField> Form { get; init; } = [];

    [Description("The task is due this many working days after it opens (the statutory due date still rules).")]
    [Range(0, 250)]
    public int? DueInWorkingDays { get; init; }

    [Description("Four eyes: a task type (whoever completed the latest task of that type on the case) or an event that leads to this state (whoever raised it last) may not complete this one, or a list of such names (none of them may); e.g. the preparer cannot sign off their own response, nor the DPO who asked for an extension approve it, and [\"draft-response\", \"redaction-check\"] keeps both the preparer and the checker from approving. Required on a sign-off (a task of a sign-off type such as dpo-sign-off or redaction-check, or in a state whose id ends in sign-off).")]
    [RegularExpression(WorkflowNames.IdPattern)]
    [JsonConverter(typeof(OneOrManyNamesConverter))]
    public IReadOnlyList<string>? NotBySameActorAs { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<TaskRole>))]
public enum TaskRole
{
    [JsonStringEnumMemberName("officer")]
    Officer,

    [JsonStringEnumMemberName("dpo")]
    Dpo,

    [JsonStringEnumMemberName("record-owner")]
    RecordOwner,
}

[Description("A field of a task's form.")]
public sealed record FormField
{
    [Description("The name the value is stored under in the instance data (camelCase).")]
    [RegularExpression(WorkflowNames.FieldPattern)]
    public required string Name { get; init; }

    [MinLength(1)]
    public required string Label { get; init; }

    public required FormFieldType Type { get; init; }

    public bool Required { get; init; }

    [Description("The choices, for a choice field.")]
    public IReadOnlyList<string>? Options { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<FormFieldType>))]
public enum FormFieldType
{
    [JsonStringEnumMemberName("text")]
    Text,

    [JsonStringEnumMemberName("boolean")]
    Boolean,

    [JsonStringEnumMemberName("date")]
    Date,

    [JsonStringEnumMemberName("number")]
    Number,

    [JsonStringEnumMemberName("choice")]
    Choice,
}

[Description("A change to the statutory clock (ClockStore), in the step's transaction. Repeating a change that is already in effect does nothing, so a retried step is safe.")]
public sealed record ClockChangeDefinition
{
    public required ClockAction Action { get; init; }

    [Description("The reason recorded on the clock (required for pause and extend).")]
    public string? Reason { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ClockAction>))]
public enum ClockAction
{
    /// <summary>UK GDPR Art 12A(5): clarification asked; the days until the answer do not count.</summary>
    [JsonStringEnumMemberName("pause")]
    Pause,

    /// <summary>UK GDPR Art 12A(5): the answer arrived (the event's <c>on</c> date, or today).</summary>
    [JsonStringEnumMemberName("resume")]
    Resume,

    /// <summary>UK GDPR Art 12(6): information to confirm identity arrived; the month starts again from that day.</summary>
    [JsonStringEnumMemberName("restart")]
    Restart,

    /// <summary>UK GDPR Art 12(3): extended by two further months (reason from the event's <c>reason</c>, or the definition's).</summary>
    [JsonStringEnumMemberName("extend")]
    Extend,

    /// <summary>The case is answered or closed: the clock stops for good.</summary>
    [JsonStringEnumMemberName("close")]
    Close,
}

[Description("A timer: a job with a future run_at. Exactly one of 'after' (relative to entering the state) or 'at' (relative to a stored case date) is given, and an event to raise and/or a notification to send.")]
public sealed record TimerDefinition
{
    [Description("The timer's id, unique where it is declared.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string Id { get; init; }

    [Description("What the timer is for; cite the provision.")]
    public string? Description { get; init; }

    [Description("Fire this long after the state (or instance) was entered.")]
    public TimerOffset? After { get; init; }

    [Description("Fire on a date relative to a stored case date (the case_clocks row), at 'time' London time. The date is read again when the timer fires, so a pause or an extension moves it.")]
    public CaseDateOffset? At { get; init; }

    [Description("Local (Europe/London) time of day for 'at' timers and working-day 'after' timers, HH:mm. Default 08:00.")]
    [RegularExpression(@"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    public string? Time { get; init; }

    [Description("Fire again this long after each firing, until the state (or instance) is left.")]
    public TimerOffset? Repeat { get; init; }

    [Description("A named condition checked when the timer fires; when it does not hold, the firing is skipped.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public string? When { get; init; }

    [Description("Skip firings while the instance is in one of these states (instance timers only).")]
    public IReadOnlyList<string> SkipInStates { get; init; } = [];

    [Description("The event to raise on the instance when the timer fires.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public string? Event { get; init; }

    [Description("A notification to send when the timer fires (reminders).")]
    public NotifyDefinition? Notify { get; init; }
}

[Description("An offset in calendar days or working days (England and Wales), exactly one of them.")]
public sealed record TimerOffset
{
    [Range(0, 3650)]
    public int? Days { get; init; }

    [Range(0, 2500)]
    public int? WorkingDays { get; init; }
}

[Description("A date relative to one of the case's stored statutory dates.")]
public sealed record CaseDateOffset
{
    public required CaseDate CaseDate { get; init; }

    [Description("Calendar days after (negative: before) the case date.")]
    [Range(-3650, 3650)]
    public int? Days { get; init; }

    [Description("Working days after (negative: before) the case date; -5 is '5 working days before'.")]
    [Range(-2500, 2500)]
    public int? WorkingDays { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<CaseDate>))]
public enum CaseDate
{
    [JsonStringEnumMemberName("received")]
    Received,

    [JsonStringEnumMemberName("clock-start")]
    ClockStart,

    /// <summary>The unextended due date (UK GDPR Art 12(3)).</summary>
    [JsonStringEnumMemberName("due")]
    Due,

    /// <summary>The date by which the requester must be told of an extension: the unextended due date (Art 12(3)).</summary>
    [JsonStringEnumMemberName("notice-by")]
    NoticeBy,

    [JsonStringEnumMemberName("extended-due")]
    ExtendedDue,

    /// <summary>The date the council must answer by: extended due when extended, else due.</summary>
    [JsonStringEnumMemberName("effective-due")]
    EffectiveDue,
}

[Description("A notification (email, sent by a job) to people working the case.")]
public sealed record NotifyDefinition
{
    [Description("The template the mail module renders, e.g. reminder-due-soon.")]
    [RegularExpression(WorkflowNames.IdPattern)]
    public required string Template { get; init; }

    [Description("Who gets it: the officer assigned to the case, the definition's team, and/or the DPO.")]
    [MinLength(1)]
    public required IReadOnlyList<Recipient> To { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<Recipient>))]
public enum Recipient
{
    [JsonStringEnumMemberName("assignee")]
    Assignee,

    [JsonStringEnumMemberName("team")]
    Team,

    [JsonStringEnumMemberName("dpo")]
    Dpo,
}

public static class WorkflowNames
{
    public const string IdPattern = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

    public const string FieldPattern = "^[a-z][A-Za-z0-9]*$";
}
