using System.Security.Cryptography;

namespace KccRights.Infrastructure.Encryption;

/// <summary>
/// AES-256-GCM for personal data at rest in a single bytea value (issue 9 Build 6; UK GDPR Art 32(1)(a)), with the same
/// keys and key ids as stored mail: <c>0x01 | key id (6 bytes) | nonce (12) | tag (16) | ciphertext</c>. The key id
/// stored in each value lets keys be rotated while older values stay readable; the associated data names the table,
/// column and row, so a value moved onto another row or column does not decrypt.
/// </summary>
public static class SealedData
{
    public const int KeySize = 32;
    private const byte Version = 1;
    private const int KeyIdSize = 6;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize + TagSize;

    /// <summary>A key's id: the first 6 bytes of its SHA-256, as lower-case hex (never the key itself).</summary>
    public static string KeyIdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, KeyIdSize));

    /// <summary>A key for another purpose derived from <paramref name="key"/>: HKDF-SHA256 with the purpose as its info.</summary>
    public static byte[] DeriveKey(byte[] key, string purpose)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, key, KeySize, salt: [], info: System.Text.Encoding.UTF8.GetBytes(purpose));
    }

    /// <summary>The id of the key a sealed value was made with.</summary>
    public static string KeyIdOfSealed(byte[] sealedValue)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        Check(sealedValue);
        return Convert.ToHexStringLower(sealedValue.AsSpan(1, KeyIdSize));
    }

    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sealedValue = new byte[HeaderSize + plaintext.Length];
        sealedValue[0] = Version;
        SHA256.HashData(key).AsSpan(0, KeyIdSize).CopyTo(sealedValue.AsSpan(1));
        var nonce = sealedValue.AsSpan(1 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(HeaderSize), sealedValue.AsSpan(1 + KeyIdSize + NonceSize, TagSize), associatedData);
        return sealedValue;
    }

    /// <summary>Opens a sealed value with the key its id names (from <paramref name="keyById"/>); throws when absent or tampered.</summary>
    public static byte[] Open(Func<string, byte[]?> keyById, byte[] sealedValue, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(keyById);
        var keyId = KeyIdOfSealed(sealedValue);
        var key = keyById(keyId) ?? throw new CryptographicException($"The value was sealed with key {keyId}, which is not configured.");
        var plaintext = new byte[sealedValue.Length - HeaderSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(
            sealedValue.AsSpan(1 + KeyIdSize, NonceSize),
            sealedValue.AsSpan(HeaderSize),
            sealedValue.AsSpan(1 + KeyIdSize + NonceSize, TagSize),
            plaintext,
            associatedData);
        return plaintext;
    }

    private static void Check(byte[] sealedValue)
    {
        if (sealedValue.Length < HeaderSize || sealedValue[0] != Version)
        {
            throw new CryptographicException("Not a sealed value.");
        }
    }
}
