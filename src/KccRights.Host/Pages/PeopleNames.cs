using KccRights.Infrastructure.Staff;

namespace KccRights.Host.Pages;

/// <summary>
/// People by name on the pages (issue 14 item 3: the timeline showed demo-officer). Staff ids become display names;
/// the service's own actors (email intake, background jobs and timers) read as what they are.
/// </summary>
public sealed class PeopleNames(IReadOnlyDictionary<string, string> names)
{
    public static readonly PeopleNames None = new(new Dictionary<string, string>());

    public static async Task<PeopleNames> LoadAsync(StaffStore staff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(staff);
        return new PeopleNames(await staff.NamesAsync(cancellationToken));
    }

    /// <summary>The person's name, or what acted when it was the service itself; empty for nobody.</summary>
    public string Of(string? subject) =>
        string.IsNullOrEmpty(subject) ? ""
        : names.TryGetValue(subject, out var name) ? name
        : subject switch
        {
            "intake" => "Email intake",
            "demo-data" => "Demonstration data",
            _ when subject.StartsWith("job:", StringComparison.Ordinal) || subject is "timer" or "system" or "workflow" or "migrate" => "The service",
            _ => subject,
        };
}
