using KccRights.Cases;

namespace KccRights.Host.Pages;

/// <summary>One workflow task as a card with its form, on the case page and on the task page alike.</summary>
public sealed record TaskCardModel(CaseTask Task, Actor Actor);
