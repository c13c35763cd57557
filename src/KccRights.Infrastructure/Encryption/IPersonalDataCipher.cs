namespace KccRights.Infrastructure.Encryption;

/// <summary>
/// Seals and opens personal data at rest with the service's keys (<see cref="SealedData"/>; issue 9 Build 6, UK GDPR
/// Art 32(1)(a)). Implemented by intake's message cipher, which holds the stored-mail keys, so the data-access layer
/// here can open what intake and the officers' pages seal without depending on intake.
/// </summary>
public interface IPersonalDataCipher
{
    /// <summary>Seals <paramref name="text"/> with the current key; <paramref name="context"/> names the table, column and row.</summary>
    byte[] Seal(string text, string context);

    /// <summary>Opens a sealed value with the key its id names; throws when the key is absent or the value was tampered with or moved.</summary>
    string Open(byte[] sealedValue, string context);

    /// <summary>Whether <paramref name="keyId"/> names the current key.</summary>
    bool IsCurrent(string keyId);

    /// <summary>
    /// A 32-byte key for another purpose derived from the current key (HKDF-SHA256, <paramref name="purpose"/> as its
    /// info), e.g. the keyed hashes of the case search's blind index (ADR 0007). A new current key derives a new key, so
    /// whatever was made with the old one is remade (as <c>kccrights keys rotate</c> and the start do for the index).
    /// </summary>
    byte[] DeriveKey(string purpose);
}
