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
}
