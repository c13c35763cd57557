using System.Security.Cryptography;
using System.Text;
using KccRights.Infrastructure.Encryption;

namespace KccRights.Intake.Storage;

/// <summary>
/// AES-256-GCM for stored mail: a fresh 96-bit nonce per message and the content hash as associated data, so a
/// ciphertext cannot be moved onto another row unnoticed. Each key has an id (a hash prefix, never the key) stored with
/// the row, so keys can be rotated while older rows stay readable.
/// </summary>
public sealed class MessageCipher : IPersonalDataCipher
{
    public const string DevelopmentKeyFileName = "intake-message.key";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;
    private readonly Dictionary<string, byte[]> _keys;

    public MessageCipher(byte[] key, IEnumerable<byte[]>? previousKeys = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeySize)
        {
            throw new ArgumentException("The message encryption key must be 32 bytes (AES-256).", nameof(key));
        }

        _key = key;
        KeyId = IdOf(key);
        _keys = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [KeyId] = key };
        foreach (var old in previousKeys ?? [])
        {
            _keys.TryAdd(IdOf(old), old);
        }
    }

    public string KeyId { get; }

    /// <summary>The configured key, the key file, or a development key generated once in the data directory.</summary>
    public static MessageCipher FromOptions(MessageStorageOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var previous = options.PreviousKeys.Select(k => Decode(k, "Intake:Storage:PreviousKeys")).ToList();
        if (!string.IsNullOrWhiteSpace(options.EncryptionKey))
        {
            return new MessageCipher(Decode(options.EncryptionKey, "Intake:Storage:EncryptionKey"), previous);
        }

        var file = options.KeyFile ?? Path.Combine(dataDirectory, DevelopmentKeyFileName);
        if (!File.Exists(file))
        {
            if (options.KeyFile is not null)
            {
                throw new InvalidOperationException($"The message key file {file} (Intake:Storage:KeyFile) does not exist.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize));
            try
            {
                using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                using var writer = new StreamWriter(stream);
                writer.Write(generated);
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another process generated it first: use theirs.
            }
        }

        return new MessageCipher(Decode(File.ReadAllText(file).Trim(), file), previous);
    }

    public (byte[] Nonce, byte[] Ciphertext, byte[] Tag) Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return (nonce, ciphertext, tag);
    }

    public byte[] Decrypt(string keyId, byte[] nonce, byte[] ciphertext, byte[] tag, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException($"The message was stored with key {keyId}, which is not configured.");
        }

        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        return plaintext;
    }

    /// <summary>Whether <paramref name="keyId"/> names the current key (rows under another are re-encrypted by <c>kccrights keys rotate</c>).</summary>
    public bool IsCurrent(string keyId) => string.Equals(keyId, KeyId, StringComparison.Ordinal);

    /// <summary>
    /// Personal data other than mail (case_requests' details), sealed with the same keys as stored mail into one value
    /// that carries its key id (<see cref="SealedData"/>); <paramref name="context"/> names the table, column and row.
    /// </summary>
    public byte[] Seal(string text, string context)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SealedData.Seal(_key, Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(context));
    }

    public string Open(byte[] sealedValue, string context) =>
        Encoding.UTF8.GetString(SealedData.Open(id => _keys.GetValueOrDefault(id), sealedValue, Encoding.UTF8.GetBytes(context)));

    /// <inheritdoc />
    public byte[] DeriveKey(string purpose) => SealedData.DeriveKey(_key, purpose);

    private static string IdOf(byte[] key) => SealedData.KeyIdOf(key);

    private static byte[] Decode(string base64, string where)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            return key.Length == KeySize ? key : throw new InvalidOperationException($"The message key in {where} must be 32 bytes, base64.");
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"The message key in {where} is not base64.", ex);
        }
    }
}
