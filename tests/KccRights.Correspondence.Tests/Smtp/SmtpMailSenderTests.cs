using System.Net;
using System.Net.Sockets;
using System.Text;
using KccRights.Correspondence.Smtp;
using KccRights.Infrastructure.Mail;
using MimeKit;

namespace KccRights.Correspondence.Tests;

/// <summary>
/// Issue 14 item 6: the first letter after a quiet spell used to fail, because the server had closed the kept-open
/// connection and MailKit only found out when it sent. The sender now checks the connection before each message.
/// </summary>
public sealed class SmtpMailSenderTests
{
    [Test]
    public async Task AConnectionTheServerClosedWhileIdle_IsOpenedAgain_AndTheNextLetterGoesOutFirstTime()
    {
        await using var server = await DroppingSmtpServer.StartAsync();
        using var sender = new SmtpMailSender(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Tls = MailTls.None });

        await sender.SendAsync(Letter("first"), CancellationToken.None);

        // The server drops the idle connection (as smtp4dev, Postfix's smtpd_timeout and Exchange do).
        await server.WaitForClosedSessionsAsync(1);

        // No exception: the dead connection is found by a NOOP and replaced before the letter is sent.
        await sender.SendAsync(Letter("second"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(server.Subjects, Is.EqualTo(new[] { "first", "second" }));
            Assert.That(server.Connections, Is.EqualTo(2), "one connection per message: the dropped one was replaced");
        });
    }

    [Test]
    public async Task AConnectionStillOpen_IsKept_ForTheNextLetter()
    {
        await using var server = await DroppingSmtpServer.StartAsync(dropAfterMessage: false);
        using var sender = new SmtpMailSender(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Tls = MailTls.None });

        await sender.SendAsync(Letter("first"), CancellationToken.None);
        await sender.SendAsync(Letter("second"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(server.Subjects, Is.EqualTo(new[] { "first", "second" }));
            Assert.That(server.Connections, Is.EqualTo(1));
            Assert.That(server.Noops, Is.EqualTo(1), "the kept connection was checked before the second letter");
        });
    }

    private static MimeMessage Letter(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Data Protection", "data.protection@kent.gov.uk"));
        message.To.Add(new MailboxAddress("Requester", "requester@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello" };
        return message;
    }

    /// <summary>A minimal SMTP server (RFC 5321 commands only) that closes each connection after one message when asked.</summary>
    private sealed class DroppingSmtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly bool _dropAfterMessage;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _subjects = [];
        private readonly List<Task> _sessions = [];
        private int _connections;
        private int _closed;
        private int _noops;
        private Task _accept = Task.CompletedTask;

        private DroppingSmtpServer(bool dropAfterMessage)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _dropAfterMessage = dropAfterMessage;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public int Noops => Volatile.Read(ref _noops);

        public IReadOnlyList<string> Subjects
        {
            get
            {
                lock (_subjects)
                {
                    return [.. _subjects];
                }
            }
        }

        public static Task<DroppingSmtpServer> StartAsync(bool dropAfterMessage = true)
        {
            var server = new DroppingSmtpServer(dropAfterMessage);
            server._listener.Start();
            server._accept = server.AcceptAsync();
            return Task.FromResult(server);
        }

        public async Task WaitForClosedSessionsAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref _closed) < count)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the test server did not close the connection");
                await Task.Delay(20);
            }

            // Let the FIN reach the client's socket.
            await Task.Delay(100);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accept;
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            Task[] sessions;
            lock (_sessions)
            {
                sessions = [.. _sessions];
            }

            await Task.WhenAll(sessions.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_sessions)
                {
                    _sessions.Add(SessionAsync(client));
                }
            }
        }

        private async Task SessionAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                async Task Say(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token);
                try
                {
                    await Say("220 test.invalid ESMTP");
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                        switch (verb)
                        {
                            case "EHLO":
                                await Say("250-test.invalid");
                                await Say("250 8BITMIME");
                                break;
                            case "HELO" or "MAIL" or "RCPT" or "RSET":
                                await Say("250 OK");
                                break;
                            case "NOOP":
                                Interlocked.Increment(ref _noops);
                                await Say("250 OK");
                                break;
                            case "DATA":
                                await Say("354 go ahead");
                                var subject = "";
                                while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                                {
                                    if (data.StartsWith("Subject: ", StringComparison.OrdinalIgnoreCase) && subject.Length == 0)
                                    {
                                        subject = data["Subject: ".Length..];
                                    }
                                }

                                lock (_subjects)
                                {
                                    _subjects.Add(subject);
                                }

                                await Say("250 queued");
                                if (_dropAfterMessage)
                                {
                                    // An idle timeout, as the server sees it: the connection is simply closed.
                                    return;
                                }

                                break;
                            case "QUIT":
                                await Say("221 bye");
                                return;
                            default:
                                await Say("502 not implemented");
                                break;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (IOException)
                {
                }
                finally
                {
                    client.Client.Close();
                    Interlocked.Increment(ref _closed);
                }
            }
        }
    }
}
