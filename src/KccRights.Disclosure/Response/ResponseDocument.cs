namespace KccRights.Disclosure.Response;

/// <summary>A rendered response PDF of a case (unencrypted; sealed at rest by its store).</summary>
public sealed record ResponseDocument(long Id, long CaseId, int Version, byte[] Pdf, string Sha256, int PageCount, DateTimeOffset RenderedAt)
{
    /// <summary>The DPO who approved this version, or null while it is a draft.</summary>
    public string? ApprovedBy { get; init; }

    public DateTimeOffset? ApprovedAt { get; init; }
}

/// <summary>The case's response documents (implemented by the draft-response store).</summary>
public interface IResponseDocuments
{
    /// <summary>The latest rendered version, approved or not; null when none is rendered.</summary>
    Task<ResponseDocument?> LatestAsync(long caseId, CancellationToken cancellationToken);

    /// <summary>The version the DPO approved (what dispatch sends); null when none is approved.</summary>
    Task<ResponseDocument?> ApprovedAsync(long caseId, CancellationToken cancellationToken);
}
