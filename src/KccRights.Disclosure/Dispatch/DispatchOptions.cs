using System.ComponentModel.DataAnnotations;

namespace KccRights.Disclosure.Dispatch;

/// <summary>
/// How the approved response goes out (section <c>Disclosure:Dispatch</c>, issue 13 Build 6). By email, the PDF
/// encrypted and its password in a second message; by a download link when the PDF is larger than
/// <see cref="MaxEmailBytes"/>, when <see cref="Method"/> is <c>link</c>, or when the officer or DPO chose it on the
/// case (a <c>dispatchMethod</c> answer of <c>link</c> or <c>email</c> on the draft-response or sign-off task).
/// </summary>
public sealed class DispatchOptions : IValidatableObject
{
    public const string Section = "Disclosure:Dispatch";

    /// <summary>The default method when nobody chose one on the case: <c>email</c> or <c>link</c>.</summary>
    public string Method { get; set; } = "email";

    /// <summary>A response PDF larger than this goes by link (mail servers commonly refuse attachments much over 10 MB).</summary>
    public long MaxEmailBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>How long a download link works.</summary>
    public int LinkExpiryDays { get; set; } = 14;

    /// <summary>Wrong codes after which the link is locked.</summary>
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>Requests to the download page allowed per client address per minute (ASP.NET rate limiter).</summary>
    public int DownloadRequestsPerMinute { get; set; } = 20;

    /// <summary>The public address of this service, the start of a download link (e.g. https://rights.example.gov.uk); required for links.</summary>
    public string? PublicBaseUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Method is not ("email" or "link"))
        {
            yield return new ValidationResult($"{Section}:Method must be email or link");
        }

        if (MaxEmailBytes < 1 || LinkExpiryDays < 1 || MaxCodeAttempts < 1 || DownloadRequestsPerMinute < 1)
        {
            yield return new ValidationResult($"{Section}: MaxEmailBytes, LinkExpiryDays, MaxCodeAttempts and DownloadRequestsPerMinute must be positive");
        }

        if (!string.IsNullOrWhiteSpace(PublicBaseUrl)
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult($"{Section}:PublicBaseUrl must be an http(s) address");
        }
    }
}
