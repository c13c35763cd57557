using System.Security.Cryptography;
using System.Text;

namespace KccRights.Intake.Storage;

/// <summary>
/// The content hash that identifies a message: SHA-256 of its bytes without the trace headers each delivery adds
/// (Received, Return-Path, Delivered-To...), so the same message delivered twice hashes the same.
/// </summary>
public static class MessageHash
{
    private static readonly HashSet<string> TraceHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Received", "Return-Path", "Delivered-To", "X-Original-To", "X-Received", "Authentication-Results", "Received-SPF",
        "X-Spam-Status", "X-Spam-Score", "X-Spam-Checker-Version", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
        "X-MS-Exchange-Organization-AuthAs", "X-Virus-Scanned",
    };

    public static byte[] Compute(ReadOnlySpan<byte> raw)
    {
        var headerEnd = HeaderEnd(raw);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var headers = Encoding.Latin1.GetString(raw[..headerEnd]);
        var skipping = false;
        foreach (var line in headers.Split('\n'))
        {
            var folded = line.Length > 0 && (line[0] == ' ' || line[0] == '\t');
            if (!folded)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                skipping = colon > 0 && TraceHeaders.Contains(line[..colon].Trim());
            }

            if (!skipping)
            {
                hash.AppendData(Encoding.Latin1.GetBytes(line.TrimEnd('\r') + "\n"));
            }
        }

        hash.AppendData(raw[headerEnd..]);
        return hash.GetHashAndReset();
    }

    private static int HeaderEnd(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length - 1; i++)
        {
            if (raw[i] == '\n' && (raw[i + 1] == '\n' || (raw[i + 1] == '\r' && i + 2 < raw.Length && raw[i + 2] == '\n')))
            {
                return i + 1;
            }
        }

        return raw.Length;
    }
}
