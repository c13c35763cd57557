using System.ComponentModel.DataAnnotations;

namespace KccRights.Intake.Storage;

/// <summary>How stored mail is encrypted (configuration section <c>Intake:Storage</c>). Validated on start (ADR 0004).</summary>
public sealed class MessageStorageOptions : IValidatableObject
{
    public const string Section = "Intake:Storage";

    /// <summary>The AES-256 key, base64 (32 bytes). In production, from a secret store or environment variable.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// A file holding the key (base64). With neither this nor <see cref="EncryptionKey"/>, a development key is generated
    /// once in the data directory (<c>intake-message.key</c>, readable by its owner only).
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>Earlier keys (base64), still accepted for reading messages stored before a key rotation.</summary>
    public IList<string> PreviousKeys { get; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(EncryptionKey) && !IsKey(EncryptionKey))
        {
            yield return new ValidationResult($"{Section}:{nameof(EncryptionKey)} must be 32 bytes in base64 (an AES-256 key)", [nameof(EncryptionKey)]);
        }

        // The key file is read only when no key is given; a missing one would otherwise fail the first message stored.
        if (string.IsNullOrWhiteSpace(EncryptionKey) && !string.IsNullOrWhiteSpace(KeyFile) && !File.Exists(KeyFile))
        {
            yield return new ValidationResult($"{Section}:{nameof(KeyFile)} names a file that does not exist: {KeyFile}", [nameof(KeyFile)]);
        }

        for (var i = 0; i < PreviousKeys.Count; i++)
        {
            if (!IsKey(PreviousKeys[i]))
            {
                yield return new ValidationResult($"{Section}:{nameof(PreviousKeys)}:{i} must be 32 bytes in base64 (an AES-256 key)", [nameof(PreviousKeys)]);
            }
        }
    }

    private static bool IsKey(string base64)
    {
        Span<byte> key = stackalloc byte[48];
        return Convert.TryFromBase64String(base64.Trim(), key, out var length) && length == 32;
    }
}
