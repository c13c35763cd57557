using KccRights.Domain.Cases;

namespace KccRights.Intake.Classification;

/// <summary>What an inbound message is.</summary>
public enum MessageKind
{
    Request,
    Reply,
    AutoReply,
    Bounce,
    Other,
}

/// <summary>Who the requester is to the data subject.</summary>
public enum Relationship
{
    Self,
    Child,
    Client,
    Other,
}

public static class MessageKinds
{
    public static string Id(this MessageKind kind) => kind switch
    {
        MessageKind.Request => "request",
        MessageKind.Reply => "reply",
        MessageKind.AutoReply => "auto-reply",
        MessageKind.Bounce => "bounce",
        _ => "other",
    };

    public static string Id(this Relationship relationship) => relationship switch
    {
        Relationship.Self => "self",
        Relationship.Child => "child",
        Relationship.Client => "client",
        _ => "other",
    };

    public static bool TryParseKind(string? id, out MessageKind kind)
    {
        foreach (var candidate in Enum.GetValues<MessageKind>())
        {
            if (string.Equals(candidate.Id(), id, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = MessageKind.Other;
        return false;
    }

    public static bool TryParseRelationship(string? id, out Relationship relationship)
    {
        foreach (var candidate in Enum.GetValues<Relationship>())
        {
            if (string.Equals(candidate.Id(), id, StringComparison.OrdinalIgnoreCase))
            {
                relationship = candidate;
                return true;
            }
        }

        relationship = Relationship.Self;
        return false;
    }
}

public sealed record Person(string? Name, string? Email);

public sealed record DataSubject
{
    public string? Name { get; init; }

    public DateOnly? DateOfBirth { get; init; }

    public IReadOnlyList<string> PreviousNames { get; init; } = [];

    public string? School { get; init; }

    /// <summary>A 13-character English unique pupil number whose check letter is right.</summary>
    public string? Upn { get; init; }

    public string? Address { get; init; }

    public string? Postcode { get; init; }
}

public sealed record AttachmentInfo(string Name, string ContentType, long Bytes);

/// <summary>
/// The understanding of one message: explainable rules, each decisive phrase listed in <see cref="Reasons"/>, and a
/// confidence. Anything doubtful sets <see cref="NeedsTriage"/> so an officer looks at it; nothing is dropped.
/// </summary>
public sealed record ClassificationResult
{
    public MessageKind Kind { get; init; } = MessageKind.Other;

    public IReadOnlyList<Right> Rights { get; init; } = [];

    /// <summary>Null for anything that is not a request.</summary>
    public Relationship? Relationship { get; init; }

    public Person Requester { get; init; } = new(null, null);

    public DataSubject Subject { get; init; } = new();

    /// <summary>The requester's (an agent's) own reference, to quote back.</summary>
    public string? Reference { get; init; }

    /// <summary>KCC case references found in the subject (first) and body.</summary>
    public IReadOnlyList<CaseReference> CaseReferences { get; init; } = [];

    /// <summary>ISO 639-1 code of the language the message is written in, or <c>und</c> when it cannot tell.</summary>
    public string Language { get; init; } = "en";

    public double Confidence { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];

    public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];

    public bool NeedsTriage { get; init; }

    public IReadOnlyList<string> TriageReasons { get; init; } = [];

    /// <summary>Message-ID, In-Reply-To and References, for threading.</summary>
    public string? MessageId { get; init; }

    public string? InReplyTo { get; init; }

    public IReadOnlyList<string> ThreadReferences { get; init; } = [];

    /// <summary>For a delivery report, the Message-IDs of the messages that could not be delivered.</summary>
    public IReadOnlyList<string> BouncedMessageIds { get; init; } = [];

    /// <summary>For a delivery report, the addresses that could not be reached (Final-Recipient).</summary>
    public IReadOnlyList<string> BouncedRecipients { get; init; } = [];

    /// <summary>True when the message was read only in part or ran over its time budget (issue 9, item 1).</summary>
    public bool OverBudget { get; init; }

    /// <summary>Problems met while parsing (bad charset, unclosed multipart, bad base64, unreadable date).</summary>
    public IReadOnlyList<string> ParseProblems { get; init; } = [];
}
