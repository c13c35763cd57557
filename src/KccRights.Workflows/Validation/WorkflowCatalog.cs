using KccRights.Workflows.Reminders;

namespace KccRights.Workflows.Validation;

/// <summary>
/// The names a definition may use: the job kinds of the registered <c>IJobHandler</c>s (activities), the registered human
/// task types (and which of them are sign-offs) and the registered conditions. Modules add theirs through dependency
/// injection; validation checks against it. With <paramref name="templates"/>, every notification and letter template a
/// definition names must have wording for each of its rights.
/// </summary>
public sealed class WorkflowCatalog(IEnumerable<string> activityKinds, IEnumerable<string> taskTypes, IEnumerable<string> conditions, IEnumerable<string>? signOffTaskTypes = null, INotificationTemplates? templates = null)
{
    /// <summary>The letter and reminder wording, when a host registered it (null: templates are not checked).</summary>
    public INotificationTemplates? Templates { get; } = templates;

    public IReadOnlySet<string> ActivityKinds { get; } = activityKinds.ToHashSet(StringComparer.Ordinal);

    public IReadOnlySet<string> TaskTypes { get; } = taskTypes.ToHashSet(StringComparer.Ordinal);

    public IReadOnlySet<string> Conditions { get; } = conditions.ToHashSet(StringComparer.Ordinal);

    /// <summary>The task types that approve someone else's work or request (<c>HumanTaskType.SignOff</c>).</summary>
    public IReadOnlySet<string> SignOffTaskTypes { get; } = (signOffTaskTypes ?? []).ToHashSet(StringComparer.Ordinal);
}
