namespace KccRights.Intake.Storage;

/// <summary>How stored mail is encrypted (configuration section <c>Intake:Storage</c>).</summary>
public sealed class MessageStorageOptions
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
}
