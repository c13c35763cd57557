using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Disclosure.Suggestions;
using Npgsql;

namespace KccRights.Collation.Workflow;

/// <summary>
/// The other people the source systems know around a case's confirmed identities, for the disclosure suggestions
/// (issue 13 Build 2): each PostgreSQL system's configured RelatedPeople query (source-systems.json), asked once per
/// confirmed identity. Systems without one contribute nobody: an HTTP JSON system (the youth-justice API has no
/// related-people endpoint) and a document folder (no people table) have no way to list them; their free text is still
/// searched for names by the engine.
/// </summary>
public sealed class KnownPeople(SourceConnectors connectors, NpgsqlDataSource dataSource) : IKnownPeopleSource
{
    public async Task<IReadOnlyList<KnownPerson>> OthersAsync(long caseId, CancellationToken cancellationToken)
    {
        IReadOnlyList<CaseIdentity> identities;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            identities = await CollationStore.ConfirmedAsync(connection, null, caseId, cancellationToken);
        }

        var confirmed = identities.Select(i => (i.System, i.PersonId)).ToHashSet();
        var people = new List<KnownPerson>();
        var seen = new HashSet<(string, string, string)>();
        foreach (var identity in identities)
        {
            if (connectors.Options.Find(identity.System) is null || connectors.Get(identity.System) is not PostgresConnector connector)
            {
                continue;
            }

            foreach (var person in await connector.RelatedPeopleAsync(identity.PersonId, cancellationToken))
            {
                // Another confirmed identity is the subject under another id (a duplicate record), never a third party.
                if (person.PersonId is { } id && confirmed.Contains((person.System, id)))
                {
                    continue;
                }

                if (seen.Add((person.System, person.Given.ToUpperInvariant(), person.Family.ToUpperInvariant())))
                {
                    people.Add(person);
                }
            }
        }

        return people;
    }
}
