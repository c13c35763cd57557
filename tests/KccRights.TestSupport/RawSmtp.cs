using System.Net.Sockets;
using System.Text;

namespace KccRights.TestSupport;

/// <summary>
/// Sends a message's exact bytes over SMTP (RFC 5321 with dot-stuffing), so recorded .eml files, including broken
/// ones, reach the server as they were recorded; a MIME library would re-serialise and repair them.
/// </summary>
public static class RawSmtp
{
    public static async Task SendAsync(string host, int port, string from, string to, byte[] message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        await ExpectAsync(reader, "220", cancellationToken);
        await CommandAsync(stream, reader, "EHLO test.invalid", "250", cancellationToken);
        await CommandAsync(stream, reader, $"MAIL FROM:<{from}>", "250", cancellationToken);
        await CommandAsync(stream, reader, $"RCPT TO:<{to}>", "250", cancellationToken);
        await CommandAsync(stream, reader, "DATA", "354", cancellationToken);

        var text = Encoding.Latin1.GetString(message).Replace("\r\n", "\n", StringComparison.Ordinal);
        var body = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            body.Append(line.StartsWith('.') ? "." + line : line).Append("\r\n");
        }

        if (!text.EndsWith('\n'))
        {
            body.Append("\r\n");
        }

        body.Append(".\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(body.ToString()), cancellationToken);
        await ExpectAsync(reader, "250", cancellationToken);
        await CommandAsync(stream, reader, "QUIT", "221", cancellationToken);
    }

    private static async Task CommandAsync(NetworkStream stream, StreamReader reader, string command, string expected, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        await ExpectAsync(reader, expected, cancellationToken);
    }

    private static async Task ExpectAsync(StreamReader reader, string code, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("The SMTP server closed the connection.");
            if (line.Length >= 4 && line[3] == '-')
            {
                continue;
            }

            if (!line.StartsWith(code, StringComparison.Ordinal))
            {
                throw new IOException($"SMTP: expected {code}, got '{line}'.");
            }

            return;
        }
    }
}
