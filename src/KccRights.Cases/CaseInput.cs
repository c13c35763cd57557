using KccRights.Infrastructure.Staff;

namespace KccRights.Cases;

/// <summary>Input a case action refuses, with a message for the person who sent it (a form error, or a 400 problem).</summary>
public sealed class CaseInputException : Exception
{
    public CaseInputException()
        : base("The input was not accepted.")
    {
    }

    public CaseInputException(string message)
        : base(message)
    {
    }

    public CaseInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The limits on what staff and API clients may enter (issue 9 Build 5: a 20 MB summary was accepted). The same limits
/// apply to the forms and the API; the request body is capped as well, before any of this is read.
/// </summary>
public static class CaseInput
{
    public const int MaxName = 200;
    public const int MaxEmail = 254;
    public const int MaxSummary = 10_000;
    public const int MaxNote = 10_000;
    public const int MaxReason = 2_000;
    public const int MaxTaskField = 10_000;
    public const int MaxSubject = 200;

    /// <summary>The roles that may hold a case: an auditor or a record-owner may not (issue 9 item 6).</summary>
    public static IReadOnlyList<string> CaseHolderRoles { get; } = [StaffRoles.Officer, StaffRoles.Dpo, StaffRoles.Admin];

    /// <summary>The message for a value over its limit, or null when it fits.</summary>
    public static string? TooLong(string? value, int limit, string what) =>
        value is { Length: var length } && length > limit ? $"{what} must be {limit:N0} characters or fewer" : null;

    /// <summary>Throws <see cref="CaseInputException"/> for the first value over its limit.</summary>
    public static void Check(params (string? Value, int Limit, string What)[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (value, limit, what) in values)
        {
            if (TooLong(value, limit, what) is { } message)
            {
                throw new CaseInputException(message);
            }
        }
    }
}

/// <summary>An Idempotency-Key sent again with a different request body (answered 422).</summary>
public sealed class IdempotencyKeyReusedException : Exception
{
    public IdempotencyKeyReusedException()
        : base("This Idempotency-Key was used for a different request.")
    {
    }

    public IdempotencyKeyReusedException(string message)
        : base(message)
    {
    }

    public IdempotencyKeyReusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
