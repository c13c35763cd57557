using KccRights.Workflows.Runtime;

namespace KccRights.Collation.Workflow;

/// <summary>The task types collation registers (the access workflow names them).</summary>
public static class CollationTaskTypes
{
    public const string ConfirmIdentities = "confirm-identities";

    public const string ManualSearch = "manual-search";

    public static IReadOnlyList<HumanTaskType> All { get; } =
    [
        new(ConfirmIdentities, "Confirm or reject each candidate record found for the subject in the source systems, and agree the scope"),
        new(ManualSearch, "Search a system collation could not reach and upload what it holds, or confirm nothing is held"),
    ];
}
