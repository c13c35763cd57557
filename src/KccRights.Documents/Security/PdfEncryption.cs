using System.Security.Cryptography;
using PdfSharp.Pdf.IO;

namespace KccRights.Documents.Security;

/// <summary>An encrypted PDF and the password that opens it (sent to the requester by another channel).</summary>
public sealed record EncryptedPdf(byte[] Pdf, string Password)
{
    public void Deconstruct(out byte[] pdf, out string password)
    {
        pdf = Pdf;
        password = Password;
    }
}

/// <summary>
/// Password protection for a response sent electronically (UK GDPR Art 32: appropriate security): PDFsharp's AES-256
/// standard security handler (PDF 2.0, /V 5 /R 6), a generated user password, and a separate random owner password.
/// </summary>
public static class PdfEncryption
{
    // No 0/O, 1/l/I: the password is read aloud or typed from a letter.
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>A random password of <paramref name="length"/> characters (20 gives about 115 bits).</summary>
    public static string GeneratePassword(int length = 20) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });

    public static EncryptedPdf Encrypt(byte[] pdf, string? password = null)
    {
        password ??= GeneratePassword();
        if (password.Length < 12)
        {
            throw new ArgumentException("A password protecting personal data needs at least 12 characters.", nameof(password));
        }

        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Modify);
        document.SecurityHandler.SetEncryptionToV5();
        document.SecuritySettings.UserPassword = password;
        document.SecuritySettings.OwnerPassword = GeneratePassword(32);
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return new EncryptedPdf(output.ToArray(), password);
    }
}
