namespace KccRights.Disclosure.Suggestions;

/// <summary>
/// Someone other than the subject whom a source system knows in relation to them (a parent, a sibling, another child at
/// the same address): <see cref="PersonId"/> is the system's own id, or null when the system holds only a name (e.g. a
/// family record's parent names). <see cref="Relationship"/> is in the system's words, or null.
/// </summary>
public sealed record KnownPerson(string System, string? PersonId, string Given, string Family, string? Relationship);

/// <summary>
/// The other people the source systems know around a case's confirmed identities (implemented by Collation, which owns
/// the connectors; Disclosure cannot read the source systems itself, ADR 0005).
/// </summary>
public interface IKnownPeopleSource
{
    Task<IReadOnlyList<KnownPerson>> OthersAsync(long caseId, CancellationToken cancellationToken);
}
