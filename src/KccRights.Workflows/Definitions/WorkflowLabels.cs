namespace KccRights.Workflows.Definitions;

/// <summary>
/// What staff read for the ids in the definitions and the runtime's log (issue 14 item 3: slugs such as awaiting-id,
/// ground-applies or clock are never shown). One resource for every definition: the same state or outcome reads the
/// same in every right. A test checks that every state, task outcome and event of the shipped definitions has a label
/// here; an id without one (a definition added without its words) reads as a sentence made from the id, never the slug.
/// </summary>
public static class WorkflowLabels
{
    private static readonly Dictionary<string, string> States = new(StringComparer.Ordinal)
    {
        ["triage"] = "Triage",
        ["awaiting-id"] = "Waiting for ID",
        ["id-chased"] = "ID chased",
        ["id-received"] = "ID received: to check",
        ["id-verified"] = "ID verified",
        ["no-id-closure"] = "Closing: no ID received",
        ["closed-no-id"] = "Closed: no ID received",
        ["awaiting-clarification"] = "Waiting for clarification",
        ["clarification-received"] = "Clarification received",
        ["identity-search"] = "Searching for the subject's records",
        ["identity-confirmation"] = "Confirming the subject's records",
        ["collection-start"] = "Starting collation",
        ["collation"] = "Collating records",
        ["disclosure-review"] = "Disclosure review",
        ["redaction-check"] = "Redaction check",
        ["extension-sign-off"] = "Extension: with the DPO to approve",
        ["extended"] = "Extended",
        ["draft-response"] = "Drafting the response",
        ["dpo-sign-off"] = "Response: with the DPO to sign off",
        ["dispatch"] = "Sending the response",
        ["refusal-sign-off"] = "Refusal: DPO decision",
        ["closed"] = "Closed: response sent",
        ["withdrawn"] = "Withdrawn",
        ["assessment"] = "Assessment",
        ["human-review"] = "Human review of the decision",
        ["acknowledgement"] = "Acknowledging the complaint",
        ["send-acknowledgement"] = "Sending the acknowledgement",
        ["investigation"] = "Investigating the complaint",
        ["erasure"] = "Erasing the data",
        ["tell-recipients"] = "Telling recipients",
        ["restrict-meanwhile"] = "Restricted while assessed",
        ["stop-processing"] = "Stopping the processing",
        ["lift-notice"] = "Telling the requester the restriction is lifted",
        ["export"] = "Exporting the data",
        ["awaiting-access-reply"] = "Waiting for the requester's reply",
        ["convert-to-access"] = "Opening an access request instead",
        ["correction"] = "Correcting the record",
        ["restriction"] = "Restricting the records",
        ["restricted"] = "Restricted",
    };

    private static readonly Dictionary<string, string> Outcomes = new(StringComparer.Ordinal)
    {
        ["triaged"] = "Triaged",
        ["verified"] = "Verified",
        ["not-verified"] = "Not verified",
        ["scope-agreed"] = "Scope agreed",
        ["still-unclear"] = "Still unclear",
        ["confirmed"] = "Confirmed",
        ["search-again"] = "Search again",
        ["reviewed"] = "Reviewed",
        ["checked"] = "Checked",
        ["returned"] = "Returned for changes",
        ["approved"] = "Approved",
        ["refused"] = "Refused",
        ["drafted"] = "Drafted",
        ["overruled"] = "Overruled",
        ["no-automated-decision"] = "No solely automated decision",
        ["automated-decision"] = "Solely automated decision",
        ["acknowledged"] = "Acknowledged",
        ["investigated"] = "Investigated",
        ["ground-applies"] = "A ground for erasure applies",
        ["exempt"] = "Exempt",
        ["erased"] = "Erased",
        ["restricted"] = "Restricted",
        ["uphold"] = "Objection upheld",
        ["compelling-grounds"] = "Compelling legitimate grounds",
        ["not-applicable"] = "Does not apply",
        ["stopped"] = "Processing stopped",
        ["applicable"] = "Applies",
        ["exported"] = "Exported",
        ["inaccurate"] = "Inaccurate: to correct",
        ["accurate"] = "Accurate",
        ["corrected"] = "Corrected",
        ["restrict"] = "Restrict",
        ["refuse"] = "Refuse",
        ["uploaded"] = "Records uploaded",
        ["nothing-held"] = "Nothing held",
        ["return-to-draft"] = "Return with comments to the draft response",
        ["return-to-review"] = "Return with comments to the disclosure review",
    };

    private static readonly Dictionary<string, string> Events = new(StringComparer.Ordinal)
    {
        ["access-accepted"] = "The requester accepted an access request",
        ["clarification-received"] = "Clarification received",
        ["collated"] = "Records collated",
        ["done"] = "Done",
        ["extension-requested"] = "Extension requested",
        ["id-chaser-due"] = "ID chaser due",
        ["id-not-received"] = "No ID received in time",
        ["id-received"] = "ID received",
        ["no-reply"] = "No reply in time",
        ["restriction-lifted"] = "Restriction lifted",
        ["sent"] = "Sent",
        ["withdrawn"] = "Withdrawn",
    };

    private static readonly Dictionary<string, string> LogKinds = new(StringComparer.Ordinal)
    {
        ["started"] = "Workflow started",
        ["transition"] = "Stage changed",
        ["ignored"] = "Not taken at this stage",
        ["clock"] = "Statutory clock changed",
        ["activity"] = "Background step run",
        ["timer-fired"] = "Reminder or timer due",
        ["timer-skipped"] = "Reminder skipped",
        ["migrated"] = "Moved to a new workflow version",
        ["task-opened"] = "Task opened",
        ["task-completed"] = "Task completed",
        ["task-assigned"] = "Task taken",
        ["case-assigned"] = "Case assigned",
        ["case-converted"] = "Case converted",
        ["case-notes"] = "Case notes",
        ["incident-retried"] = "Failed step retried",
        ["incident-obsolete"] = "Failed step no longer needed",
        ["response-dispatched"] = "Response sent",
        ["response-rendered"] = "Draft response rendered",
        ["response-not-rendered"] = "Draft response not rendered",
    };

    private static readonly Dictionary<string, string> ClockActions = new(StringComparer.Ordinal)
    {
        ["pause"] = "Clock paused",
        ["resume"] = "Clock running again",
        ["restart"] = "Clock restarted",
        ["extend"] = "Extended by two months",
        ["close"] = "Clock stopped",
    };

    /// <summary>The ids that have a label, for the test that every shipped definition's are covered.</summary>
    public static IReadOnlyCollection<string> StateIds => States.Keys;

    public static IReadOnlyCollection<string> OutcomeIds => Outcomes.Keys;

    public static IReadOnlyCollection<string> EventIds => Events.Keys;

    public static IReadOnlyCollection<string> LogKindIds => LogKinds.Keys;

    /// <summary>A stage (definition state), e.g. awaiting-id reads "Waiting for ID".</summary>
    public static string State(string? id) => Label(States, id);

    /// <summary>A task outcome, e.g. ground-applies reads "A ground for erasure applies".</summary>
    public static string Outcome(string? id) => Label(Outcomes, id);

    /// <summary>What moved a case: a task outcome or an event.</summary>
    public static string Event(string? id) =>
        id is not null && Events.TryGetValue(id, out var e) ? e : Label(Outcomes, id);

    /// <summary>A kind of workflow-log row on the case's timeline, e.g. clock reads "Statutory clock changed".</summary>
    public static string LogKind(string? kind) => Label(LogKinds, kind);

    /// <summary>A clock change named in a definition (pause, resume, restart, extend, close).</summary>
    public static string ClockAction(string? action) => Label(ClockActions, action);

    /// <summary>An id with no label: its words as a sentence ("new-state" reads "New state"), never the slug itself.</summary>
    public static string Words(string? id) =>
        string.IsNullOrEmpty(id) ? "" : char.ToUpperInvariant(id[0]) + id[1..].Replace('-', ' ');

    private static string Label(Dictionary<string, string> labels, string? id) =>
        id is null ? "" : labels.TryGetValue(id, out var label) ? label : Words(id);
}
