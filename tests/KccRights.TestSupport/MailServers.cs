using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KccRights.TestSupport;

/// <summary>
/// A private Dovecot (IMAP) and Postfix (SMTP) on free loopback ports in a temp folder, for the tests (RUNNING-SERVERS.md):
/// mail sent to Postfix is delivered into Maildirs that Dovecot serves. Every domain is local, so nothing leaves the
/// machine. A server that cannot start throws <see cref="MailServersException"/> with the reason: tests fail, never skip.
/// Debian packages: dovecot-imapd, postfix (./test.sh installs them as root).
/// </summary>
public sealed class MailServers : IAsyncDisposable
{
    public const string Host = "127.0.0.1";
    public const string Password = "secret";
    private const string NobodyUid = "65534";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private readonly object _usersLock = new();
    private readonly HashSet<string> _users = new(StringComparer.Ordinal);
    private Process? _dovecot;
    private bool _postfixStarted;

    private MailServers(string root)
    {
        _root = root;
    }

    public int ImapPort { get; private set; }

    public int SmtpPort { get; private set; }

    public string MailRoot => Path.Combine(_root, "mail");

    private string DovecotConfig => Path.Combine(_root, "dovecot", "dovecot.conf");

    private string UsersFile => Path.Combine(_root, "dovecot", "users");

    private string PostfixConfig => Path.Combine(_root, "postfix");

    public static async Task<MailServers> StartAsync(IEnumerable<string>? users = null)
    {
        foreach (var program in new[] { "/usr/sbin/dovecot", "/usr/sbin/postfix", "/usr/sbin/postconf" })
        {
            if (!File.Exists(program))
            {
                throw new MailServersException(
                    $"{program} is not installed. The intake tests need real mail servers: apt-get install dovecot-imapd postfix (./test.sh installs them as root).");
            }
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new MailServersException("The private Dovecot and Postfix run on Linux only.");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new MailServersException("The private Dovecot and Postfix are started as root (as on the development machines and CI); run the tests as root.");
        }

        var root = Path.Combine(Path.GetTempPath(), $"kcc-mail-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var servers = new MailServers(root);
        try
        {
            Directory.CreateDirectory(root);
            File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("755", 8));
            Directory.CreateDirectory(servers.MailRoot);
            await RunAsync("chown", $"{NobodyUid}:{NobodyUid}", servers.MailRoot);
            foreach (var user in users ?? [])
            {
                servers.AddUser(user);
            }

            servers.ImapPort = FreePort();
            await servers.StartDovecotAsync();
            servers.SmtpPort = FreePort();
            await servers.StartPostfixAsync();
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Adds a mailbox and IMAP login (password <see cref="Password"/>). Dovecot re-reads its user file when it changes;
    /// Postfix's mailbox map is reloaded, so add users before sending to them.
    /// </summary>
    public async Task AddUserAsync(string address)
    {
        AddUser(address);
        if (_postfixStarted)
        {
            WriteMailboxMap();
            await RunAsync("/usr/sbin/postfix", "-c", PostfixConfig, "reload");
            await Task.Delay(300);
        }
    }

    private void AddUser(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        lock (_usersLock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(UsersFile)!);
            if (_users.Add(address.ToLowerInvariant()))
            {
                File.AppendAllText(UsersFile, $"{address.ToLowerInvariant()}:{{PLAIN}}{Password}\n");
            }
        }
    }

    private void WriteMailboxMap()
    {
        lock (_usersLock)
        {
            Directory.CreateDirectory(PostfixConfig);
            File.WriteAllLines(Path.Combine(PostfixConfig, "vmailbox"), _users.Order(StringComparer.Ordinal).Select(u => $"{u} {u}/Maildir/"));
        }
    }

    /// <summary>The Maildir of an address (Postfix delivers into it; Dovecot serves it).</summary>
    public string MaildirOf(string address) => Path.Combine(MailRoot, address.ToLowerInvariant(), "Maildir");

    /// <summary>Messages delivered to an address and not yet seen by an IMAP client (Maildir/new).</summary>
    public IReadOnlyList<string> NewMessageFiles(string address)
    {
        var folder = Path.Combine(MaildirOf(address), "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList() : [];
    }

    /// <summary>Waits until Postfix has delivered at least <paramref name="count"/> messages to the address's Maildir/new.</summary>
    public async Task<IReadOnlyList<string>> WaitForNewMessagesAsync(string address, int count, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var files = NewMessageFiles(address);
            if (files.Count >= count)
            {
                return files;
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new MailServersException(string.Create(CultureInfo.InvariantCulture,
                    $"Postfix delivered {files.Count} of {count} messages to {address} within {timeout.TotalSeconds:0} s. Mail log: {Tail(Path.Combine(_root, "maillog"))}"));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops Dovecot (an IMAP outage); <see cref="StartImapAsync"/> brings it back on the same port.</summary>
    public async Task StopImapAsync()
    {
        if (_dovecot is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _dovecot?.Dispose();
        _dovecot = null;
        await WaitUntilClosedAsync(ImapPort);
    }

    public Task StartImapAsync() => StartDovecotAsync();

    public async ValueTask DisposeAsync()
    {
        await StopImapAsync();
        if (_postfixStarted)
        {
            _postfixStarted = false;
            await RunAsync("/usr/sbin/postfix", "-c", PostfixConfig, "stop");
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing a file; the temp folder is cleaned by the machine.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task StartDovecotAsync()
    {
        var dir = Path.GetDirectoryName(DovecotConfig)!;
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        if (!File.Exists(UsersFile))
        {
            File.WriteAllText(UsersFile, string.Empty);
        }

        File.WriteAllText(DovecotConfig, string.Create(CultureInfo.InvariantCulture, $$"""
            base_dir = {{dir}}/run
            state_dir = {{dir}}/state
            log_path = {{dir}}/dovecot.log
            protocols = imap
            listen = {{Host}}
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:~/Maildir
            first_valid_uid = {{NobodyUid}}
            default_login_user = dovenull
            default_internal_user = dovecot
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%Lu {{UsersFile}}
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home={{MailRoot}}/%Lu
            }
            service imap-login {
              inet_listener imap {
                address = {{Host}}
                port = {{ImapPort}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            protocol imap {
              mail_max_userip_connections = 100
            }

            """));
        var info = new ProcessStartInfo("/usr/sbin/dovecot") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-F", "-c", DovecotConfig })
        {
            info.ArgumentList.Add(argument);
        }

        _dovecot = Process.Start(info) ?? throw new MailServersException("Dovecot did not start.");
        var stderr = new StringBuilder();
        _dovecot.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        _dovecot.BeginErrorReadLine();
        _dovecot.BeginOutputReadLine();
        if (!await WaitUntilListeningAsync(ImapPort, _dovecot))
        {
            string errors;
            lock (stderr)
            {
                errors = stderr.ToString();
            }

            throw new MailServersException($"Dovecot did not listen on {Host}:{ImapPort}: {errors} {Tail(Path.Combine(dir, "dovecot.log"))}");
        }
    }

    private async Task StartPostfixAsync()
    {
        Directory.CreateDirectory(PostfixConfig);
        var spool = Path.Combine(_root, "postfix-spool");
        var data = Path.Combine(_root, "postfix-data");
        Directory.CreateDirectory(spool);
        Directory.CreateDirectory(data);
        await RunAsync("chown", "postfix:postfix", data);
        WriteMailboxMap();
        await File.WriteAllTextAsync(Path.Combine(PostfixConfig, "vdomains"), "/./ OK\n");
        await File.WriteAllTextAsync(Path.Combine(PostfixConfig, "main.cf"), string.Create(CultureInfo.InvariantCulture, $"""
            compatibility_level = 3.6
            queue_directory = {spool}
            data_directory = {data}
            command_directory = /usr/sbin
            daemon_directory = /usr/lib/postfix/sbin
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = mail.test.invalid
            mydomain = test.invalid
            myorigin = test.invalid
            mydestination =
            inet_interfaces = {Host}
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            smtpd_relay_restrictions = permit_mynetworks, reject
            alias_maps =
            alias_database =
            local_recipient_maps =
            relayhost =
            default_transport = error:no mail leaves the test server
            relay_transport = error:no mail leaves the test server
            virtual_mailbox_domains = regexp:{PostfixConfig}/vdomains
            virtual_mailbox_maps = texthash:{PostfixConfig}/vmailbox
            virtual_mailbox_base = {MailRoot}
            virtual_uid_maps = static:{NobodyUid}
            virtual_gid_maps = static:{NobodyUid}
            virtual_minimum_uid = 100
            in_flow_delay = 0
            smtpd_client_connection_count_limit = 0
            smtpd_client_message_rate_limit = 0
            maillog_file = {_root}/maillog
            maillog_file_prefixes = {_root}
            syslog_name = kcc-test-postfix
            smtputf8_enable = no
            # The hostile-input corpus sends a 10 MB HTML message (issue 9); Postfix's default limit is 10,240,000 bytes.
            message_size_limit = 52428800
            virtual_mailbox_limit = 0
            biff = no

            """));
        await File.WriteAllTextAsync(Path.Combine(PostfixConfig, "master.cf"), string.Create(CultureInfo.InvariantCulture, $"""
            {Host}:{SmtpPort} inet n - n - - smtpd
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            proxywrite unix -       -       n       -       1       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            local     unix  -       n       n       -       -       local
            virtual   unix  -       n       n       -       -       virtual
            lmtp      unix  -       -       n       -       -       lmtp
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd

            """));
        var start = await RunAsync("/usr/sbin/postfix", "-c", PostfixConfig, "start");
        if (start.ExitCode != 0)
        {
            throw new MailServersException($"Postfix did not start (exit {start.ExitCode}): {start.Output} {Tail(Path.Combine(_root, "maillog"))}");
        }

        _postfixStarted = true;
        if (!await WaitUntilListeningAsync(SmtpPort, null))
        {
            throw new MailServersException($"Postfix did not listen on {Host}:{SmtpPort}: {Tail(Path.Combine(_root, "maillog"))}");
        }
    }

    private static async Task<bool> WaitUntilListeningAsync(int port, Process? process)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < StartTimeout)
        {
            if (process is { HasExited: true })
            {
                return false;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Host, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }

    private static async Task WaitUntilClosedAsync(int port)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < StartTimeout)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Host, port);
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string file) =>
        File.Exists(file) ? string.Join(" | ", File.ReadLines(file).TakeLast(8)) : "(no log)";

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new MailServersException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output + " " + await error).Trim());
    }
}

public sealed class MailServersException : Exception
{
    public MailServersException()
    {
    }

    public MailServersException(string message)
        : base(message)
    {
    }

    public MailServersException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
