namespace KccRights.Collation.Connectors;

/// <summary>One record from a source system in the common shape every connector produces (issue 11 Build 3).</summary>
public sealed record SourceRecord(
    string System,
    string Dataset,
    string RecordId,
    DateOnly? Date,
    string Title,
    IReadOnlyDictionary<string, string?> Fields,
    string? FreeText,
    IReadOnlyList<SourceAttachment> Attachments)
{
    /// <summary>The record is a document (a file on a share): stored as the document itself, keyed by its bytes.</summary>
    public bool IsDocument { get; init; }
}

/// <summary>A file held with a record (a letter, minutes, an email), with its text when it could be read.</summary>
public sealed record SourceAttachment(string FileName, string MediaType, byte[] Content, string? Text);

/// <summary>What an officer knows of the person searched for.</summary>
public sealed record PersonQuery(string Given, string Family, string? PreviousFamily = null, DateOnly? DateOfBirth = null, string? Postcode = null, string? Upn = null);

/// <summary>A person a system's own find-person query returned, before scoring.</summary>
public sealed record PersonRow(
    string System,
    string PersonId,
    string Given,
    string Family,
    string? PreviousFamily,
    DateOnly? DateOfBirth,
    string? Postcode,
    string? Upn,
    IReadOnlyList<string> Identifiers,
    bool? SoundsLike);

/// <summary>A person confirmed by an officer as the subject, in one system, with the identifiers documents cite.</summary>
public sealed record ConfirmedIdentity(string System, string PersonId, IReadOnlyList<string> Identifiers);

/// <summary>A connector: finds people and fetches their records. Reads only; never writes to the source system.</summary>
public interface ISourceConnector
{
    SourceSystemOptions System { get; }

    /// <summary>Candidates from the system's own find-person query (empty for a system with none, e.g. a folder).</summary>
    Task<IReadOnlyList<PersonRow>> FindPersonAsync(PersonQuery query, CancellationToken cancellationToken);

    /// <summary>Every record of every dataset for the confirmed identities (for a folder, those citing any of their identifiers).</summary>
    Task<IReadOnlyList<SourceRecord>> FetchAsync(IReadOnlyList<ConfirmedIdentity> identities, CancellationToken cancellationToken);
}

/// <summary>A source system that could not be read: the message names the system and the reason, never personal data.</summary>
public sealed class SourceSystemException(string message, Exception? inner = null) : Exception(message, inner);
