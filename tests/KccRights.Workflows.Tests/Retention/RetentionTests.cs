using System.Text;
using Dapper;
using KccRights.Cases.Retention;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Correspondence.Smtp;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;

namespace KccRights.Workflows.Tests.Retention;

/// <summary>
/// Retention (issue 13 Build 7; UK GDPR Art 5(1)(e)): "A retention test looks for any byte of a purged case in the
/// database and the data directory and finds none." Cases are opened through the real stack (an emailed request with an
/// attachment stored and read by intake, the access workflow, the acknowledgement sent and recorded, collated records,
/// a manual-search upload, identities), closed, and the clock moved past the retention period; the purge must leave no
/// distinctive string, sealed value or hash of the purged case in any column of any table, nor in any file under the
/// data directory, while the other cases keep every byte and an anonymised statistics record exists.
/// </summary>
[NonParallelizable]
public class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly object NoDoubts = new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false };

    private sealed class RecordingMailSender : IMailSender
    {
        public List<MimeMessage> Sent { get; } = [];

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    /// <summary>What one planted case holds: its distinctive strings and the name of its person.</summary>
    private sealed record Planted(string Key, string Name, string Email, string BodyWord, string AttachmentWord, string ItemWord, string UploadWord, string EventWord, string NoteWord)
    {
        public static Planted For(string key) => new(
            key,
            $"Zephyrina{key} Quillfeather",
            $"zq.{key.ToLowerInvariant()}.retention@example.org",
            $"Marmalade{key}Oboe",
            $"Xylograph{key}Attachment",
            $"Sennacherib{key}Record",
            $"Pumpernickel{key}Upload",
            $"Wolfberry{key}Withdrawal",
            $"Quahog{key}Note");

        public IReadOnlyList<string> Strings => [Name, Email, BodyWord, AttachmentWord, ItemWord, UploadWord, EventWord, NoteWord];

        public byte[] Email822()
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress(Name, Email));
            message.To.Add(new MailboxAddress("", "data.protection@kent.gov.uk"));
            message.Subject = "Subject access request";
            message.Date = Start;
            message.MessageId = $"retention-{Key.ToLowerInvariant()}-7731@example.org";
            var body = new TextPart("plain")
            {
                Text = $"""
                    Dear Sir or Madam,

                    Under the UK GDPR I would like a copy of all personal information Kent County Council holds about me,
                    including my school records and anything held by Early Help. My reference word is {BodyWord}.

                    My details:
                    Name: {Name}
                    Date of birth: 14/03/1997
                    Address: 22 Pier Road, Margate, CT9 1AB

                    Please send the information by email.

                    Kind regards,
                    {Name}
                    """,
            };
            var attachment = new MimePart("text", "plain")
            {
                Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes($"My passport number and {AttachmentWord}"))),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = "id.txt",
            };
            message.Body = new Multipart("mixed") { body, attachment };
            using var stream = new MemoryStream();
            message.WriteTo(stream);
            return stream.ToArray();
        }
    }

    private string _dataDirectory = "";

    [SetUp]
    public void MakeDataDirectory()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), $"kcc-retention-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataDirectory);
    }

    [TearDown]
    public void RemoveDataDirectory()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the machine's temp cleaning.
        }
    }

    private async Task<WorkflowHarness> HarnessAsync(RecordingMailSender mail) => await WorkflowHarness.CreateAsync(
        Start,
        configure: s => s.AddSingleton<IMailSender>(mail),
        settings: [new("Storage:DataDirectory", _dataDirectory), new("Retention:AfterClosure", "2y")]);

    /// <summary>An emailed request through intake (stored sealed, classified, the case opened with its workflow), triaged, with collated items, an upload and a note.</summary>
    private static async Task<long> OpenThroughIntakeAsync(WorkflowHarness h, Planted p)
    {
        var stored = await h.Services.GetRequiredService<InboundMessageStore>().StoreAsync(p.Email822(), h.Time.GetUtcNow(), "INBOX");
        var outcome = await h.Services.GetRequiredService<IntakeProcessor>().ProcessAsync(stored.Id);
        Assert.That(outcome?.OpenedCases, Has.Count.EqualTo(1), $"{p.Key}: the email opens one case");
        var caseId = await h.ScalarAsync<long>("SELECT case_id FROM messages_cases WHERE inbound_message_id = @id", new { id = stored.Id });
        await h.RunJobsAsync();
        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM outbound_messages WHERE case_id = @caseId", new { caseId }), Is.EqualTo(1), $"{p.Key}: acknowledged");

        await h.CompleteAsync(caseId, "triaged", NoDoubts);

        // Collation: an identity confirmed, records and a manual-search upload collated (all sealed).
        var store = h.Services.GetRequiredService<CollationStore>();
        var at = h.Time.GetUtcNow();
        await store.DecideAsync(caseId, "send", "P-" + p.Key, ["UPN-" + p.Key], true, p.Name + " 14/03/1997", "officer-a", at);
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var record = new SourceRecord(
                "send", "plans", "R-" + p.Key, new DateOnly(2024, 5, 1), "EHCP plan",
                new Dictionary<string, string?> { ["child"] = p.Name, ["notes"] = p.ItemWord }, "Free text about " + p.ItemWord, []);
            await store.ReplaceSystemAsync(transaction, caseId, "send", [record], at, CancellationToken.None);
            await CollationStore.SetProgressAsync(transaction, caseId, "send", "done", 1, null, at, CancellationToken.None);
            await store.StoreUploadAsync(
                transaction, caseId, "early-help", "upload-" + p.Key,
                new SourceAttachment("letter.txt", "text/plain", Encoding.UTF8.GetBytes("A letter about " + p.UploadWord), p.UploadWord), "eh-owner", at, CancellationToken.None);
            await connection.ExecuteAsync(
                "INSERT INTO case_notes (case_id, author, body, created_at) VALUES (@caseId, 'officer-a', @body, @at)",
                new { caseId, body = "Phoned " + p.Name + " about " + p.NoteWord, at },
                transaction);
            await transaction.CommitAsync();
        }

        return caseId;
    }

    private static async Task CloseAsync(WorkflowHarness h, long caseId, Planted p)
    {
        await h.RaiseAsync(caseId, "withdrawn", new { reason = p.EventWord + " by " + p.Name });
        Assert.That(await h.ScalarAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("closed"), $"{p.Key}: closed on withdrawal");
    }

    /// <summary>Every row of every table (all schemas but the system's), as PostgreSQL's text of the row: what a dump holds.</summary>
    private static async Task<List<(string Table, string Row)>> DumpAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.OwnerConnectionString(connectionString));
        await connection.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            """
            SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """)).AsList();
        Assert.That(tables, Has.Count.GreaterThan(30), "the dump reads every table");
        var rows = new List<(string, string)>();
        foreach (var table in tables)
        {
            rows.AddRange((await connection.QueryAsync<string>($"SELECT t::text FROM {table} t")).Select(r => (table, r)));
        }

        return rows;
    }

    /// <summary>The sealed values, hashes and identifiers of a case, read before the purge, as the needles a dump would show.</summary>
    private static async Task<List<(string What, byte[] Bytes)>> BlobsAsync(WorkflowHarness h, long caseId)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.OwnerConnectionString(h.ConnectionString));
        await connection.OpenAsync();
        var blobs = new List<(string, byte[])>();
        async Task AddAsync(string what, string sql)
        {
            foreach (var b in await connection.QueryAsync<byte[]?>(sql, new { caseId }))
            {
                if (b is { Length: > 0 })
                {
                    blobs.Add((what, b));
                }
            }
        }

        await AddAsync("case_requests.sealed_parties", "SELECT sealed_parties FROM case_requests WHERE case_id = @caseId");
        await AddAsync("case_requests.sealed_details", "SELECT sealed_details FROM case_requests WHERE case_id = @caseId");
        const string Messages = "SELECT inbound_message_id FROM messages_cases WHERE case_id = @caseId";
        await AddAsync("inbound_messages.ciphertext", $"SELECT ciphertext FROM inbound_messages WHERE id IN ({Messages})");
        await AddAsync("inbound_messages.nonce", $"SELECT nonce FROM inbound_messages WHERE id IN ({Messages})");
        await AddAsync("inbound_messages.tag", $"SELECT tag FROM inbound_messages WHERE id IN ({Messages})");
        await AddAsync("inbound_messages.content_hash", $"SELECT content_hash FROM inbound_messages WHERE id IN ({Messages})");
        await AddAsync("collation_items.sealed_content", "SELECT sealed_content FROM collation_items WHERE case_id = @caseId");
        await AddAsync("collation_items.content_hash", "SELECT content_hash FROM collation_items WHERE case_id = @caseId");
        await AddAsync("collation_identities.sealed_display", "SELECT sealed_display FROM collation_identities WHERE case_id = @caseId");
        await AddAsync("outbound_messages.message_id", "SELECT convert_to(message_id, 'UTF8') FROM outbound_messages WHERE case_id = @caseId");
        await AddAsync("inbound_messages.message_id", $"SELECT convert_to(message_id, 'UTF8') FROM inbound_messages WHERE id IN ({Messages})");
        return blobs;
    }

    /// <summary>Where each needle (a string, or a blob as the hex and base64 a row's text would show) occurs in the dump.</summary>
    private static List<string> Find(List<(string Table, string Row)> dump, IEnumerable<string> strings, IEnumerable<(string What, byte[] Bytes)> blobs)
    {
        var found = new List<string>();
        foreach (var s in strings)
        {
            found.AddRange(dump.Where(d => d.Row.Contains(s, StringComparison.OrdinalIgnoreCase)).Select(d => $"'{s}' in {d.Table}"));
        }

        foreach (var (what, bytes) in blobs)
        {
            var hex = Convert.ToHexStringLower(bytes);
            var base64 = Convert.ToBase64String(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            found.AddRange(dump
                .Where(d => d.Row.Contains(hex, StringComparison.Ordinal) || d.Row.Contains(base64, StringComparison.Ordinal) || (what.EndsWith("message_id", StringComparison.Ordinal) && d.Row.Contains(text, StringComparison.Ordinal)))
                .Select(d => $"{what} in {d.Table}"));
        }

        return found;
    }

    /// <summary>Every file under the data directory that holds one of the strings (UTF-8) or blobs.</summary>
    private List<string> FindInFiles(IEnumerable<string> strings, IEnumerable<(string What, byte[] Bytes)> blobs)
    {
        var needles = strings.Select(s => (s, Encoding.UTF8.GetBytes(s))).Concat(blobs).ToList();
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_dataDirectory, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            found.AddRange(needles.Where(n => bytes.AsSpan().IndexOf(n.Item2) >= 0).Select(n => $"{n.Item1} in {file}"));
        }

        return found;
    }

    /// <summary>Every column naming a case (case_id, linked_case_id, outcome_case_id) in which <paramref name="caseId"/> still has a row.</summary>
    private static async Task<List<string>> RowsOfCaseAsync(string connectionString, long caseId)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.OwnerConnectionString(connectionString));
        await connection.OpenAsync();
        var columns = await connection.QueryAsync<(string Table, string Column)>(
            """
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.column_name IN ('case_id', 'linked_case_id', 'outcome_case_id')
            """);
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            if (await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM \"{table}\" WHERE \"{column}\" = @caseId", new { caseId }) > 0)
            {
                found.Add($"{table}.{column}");
            }
        }

        return found;
    }

    [Test]
    public async Task APurgedCase_LeavesNoByteInTheDatabaseOrTheDataDirectory_WhileOtherCasesKeepTheirsAndTheStatisticsRemain()
    {
        var mail = new RecordingMailSender();
        await using var h = await HarnessAsync(mail);
        var a = Planted.For("A");
        var b = Planted.For("B");
        var c = Planted.For("C");
        var purged = await OpenThroughIntakeAsync(h, a);
        var open = await OpenThroughIntakeAsync(h, b);
        await CloseAsync(h, purged, a);

        // A third case closes a year later: too recent when the first is due.
        h.Time.SetUtcNow(Start.AddYears(1));
        var recent = await OpenThroughIntakeAsync(h, c);
        await CloseAsync(h, recent, c);
        Assert.That(mail.Sent, Has.Count.EqualTo(3), "each requester was acknowledged by email");

        var blobsA = await BlobsAsync(h, purged);
        var blobsB = await BlobsAsync(h, open);
        var blobsC = await BlobsAsync(h, recent);
        var before = await DumpAsync(h.ConnectionString);
        Assert.Multiple(() =>
        {
            // The needles are really there before the purge (or the search below proves nothing).
            Assert.That(blobsA.Select(x => x.What).Distinct(), Is.SupersetOf(new[]
            {
                "case_requests.sealed_parties", "inbound_messages.ciphertext", "collation_items.sealed_content",
                "collation_identities.sealed_display", "outbound_messages.message_id",
            }));
            Assert.That(Find(before, [a.Email, a.EventWord, a.NoteWord], []), Has.Count.GreaterThanOrEqualTo(3), "plain text of case A before the purge");
            Assert.That(Find(before, [], blobsA), Has.Count.GreaterThanOrEqualTo(blobsA.Count), "case A's sealed values before the purge");
        });

        // Two years and a day after case A closed: A is due, C (closed a year later) and B (open) are not.
        var closedA = await h.ScalarAsync<DateTime>("SELECT closed_at FROM cases WHERE id = @purged", new { purged });
        h.Time.SetUtcNow(new DateTimeOffset(closedA, TimeSpan.Zero).AddYears(2).AddDays(1));
        var retention = h.Services.GetRequiredService<CaseRetention>();
        var dry = await retention.RunAsync(dryRun: true);
        Assert.That(dry.Purged, Is.EqualTo(new[] { purged }), "the dry run lists only the case closed over two years ago");
        Assert.That(Find(await DumpAsync(h.ConnectionString), [], blobsA), Has.Count.GreaterThanOrEqualTo(blobsA.Count), "a dry run purges nothing");

        var run = await retention.RunAsync(dryRun: false);
        Assert.That(run.Purged, Is.EqualTo(new[] { purged }));

        var after = await DumpAsync(h.ConnectionString);
        var left = Find(after, a.Strings, blobsA);
        left.AddRange(FindInFiles(a.Strings, blobsA));
        Assert.That(left, Is.Empty, "bytes of the purged case remain");
        Assert.That(
            await RowsOfCaseAsync(h.ConnectionString, purged),
            Is.EquivalentTo(new[] { "audit_events.case_id", "case_retention_records.case_id" }),
            "rows of the purged case remain (the case row itself is kept, blanked, for the audit trail)");
        Assert.That(await RowsOfCaseAsync(h.ConnectionString, open), Does.Contain("case_search_tokens.case_id").And.Contain("collation_items.case_id").And.Contain("workflow_log.case_id"));

        // The other cases keep every needle they had, row for row.
        Assert.Multiple(() =>
        {
            Assert.That(Find(after, b.Strings, blobsB), Is.EquivalentTo(Find(before, b.Strings, blobsB)), "the open case is untouched");
            Assert.That(Find(after, c.Strings, blobsC), Is.EquivalentTo(Find(before, c.Strings, blobsC)), "the recently closed case is untouched");
            Assert.That(Find(after, [], blobsB), Is.Not.Empty);
        });

        // The anonymised record, and the case row with its reference and dates only.
        await using var connection = await h.DataSource.OpenConnectionAsync();
        var record = await connection.QuerySingleAsync<(string Right, DateTime Received, DateTime Closed, bool Extended, string Outcome, int Days, bool OnTime)>(
            "SELECT right_code, received_on, closed_on, extended, outcome, days_taken, on_time FROM case_retention_records WHERE case_id = @purged", new { purged });
        var row = await connection.QuerySingleAsync<(string Status, DateTime? PurgedAt, string? AssignedTo)>(
            "SELECT status, purged_at, assigned_to FROM cases WHERE id = @purged", new { purged });
        Assert.Multiple(async () =>
        {
            Assert.That(record.Right, Is.EqualTo("access"));
            Assert.That(DateOnly.FromDateTime(record.Received), Is.EqualTo(new DateOnly(2026, 3, 2)));
            Assert.That(record.Outcome, Is.EqualTo("withdrawn"));
            Assert.That(record.Extended, Is.False);
            Assert.That(record.OnTime, Is.True);
            Assert.That(record.Days, Is.EqualTo(DateOnly.FromDateTime(record.Closed).DayNumber - new DateOnly(2026, 3, 2).DayNumber));
            Assert.That(row.Status, Is.EqualTo("closed"));
            Assert.That(row.PurgedAt, Is.Not.Null);
            Assert.That(row.AssignedTo, Is.Null);
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM case_retention_records"), Is.EqualTo(1), "only the purged case has a record");
            Assert.That(
                await connection.ExecuteScalarAsync<string>("SELECT detail::text FROM audit_events WHERE case_id = @purged AND action = 'case.purged'", new { purged }),
                Does.Contain("\"intake\"").And.Contain("\"collation\"").And.Contain("\"workflows\""),
                "the purge is audited with counts per module");
        });
    }

    [Test]
    public async Task ThePurge_IsIdempotent_AndNeverTouchesAnOpenCaseOrOneClosedTooRecently()
    {
        var mail = new RecordingMailSender();
        await using var h = await HarnessAsync(mail);
        var a = Planted.For("D");
        var b = Planted.For("E");
        var closed = await OpenThroughIntakeAsync(h, a);
        var open = await OpenThroughIntakeAsync(h, b);
        await CloseAsync(h, closed, a);
        var retention = h.Services.GetRequiredService<CaseRetention>();
        var closedAt = new DateTimeOffset(await h.ScalarAsync<DateTime>("SELECT closed_at FROM cases WHERE id = @closed", new { closed }), TimeSpan.Zero);

        // A day short of two years: nothing is due.
        h.Time.SetUtcNow(closedAt.AddYears(2).AddDays(-1));
        Assert.That((await retention.RunAsync(dryRun: false)).Purged, Is.Empty, "closed too recently");
        Assert.That(await retention.PurgeAsync(closed, h.Time.GetUtcNow()), Is.False, "a direct purge of a case not yet due is refused");
        Assert.That(await retention.PurgeAsync(open, h.Time.GetUtcNow().AddYears(50)), Is.False, "an open case is never purged");

        h.Time.SetUtcNow(closedAt.AddYears(2).AddSeconds(1));
        Assert.That((await retention.RunAsync(dryRun: false)).Purged, Is.EqualTo(new[] { closed }));
        var afterFirst = await DumpAsync(h.ConnectionString);

        // Again: nothing is due, and every purger run again on the case removes nothing.
        Assert.That((await retention.RunAsync(dryRun: false)).Purged, Is.Empty);
        Assert.That(await retention.PurgeAsync(closed, h.Time.GetUtcNow()), Is.False);
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            foreach (var purger in retention.Purgers)
            {
                Assert.That(await purger.PurgeAsync(transaction, closed, CancellationToken.None), Is.Zero, purger.Name);
            }

            await transaction.CommitAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That((await DumpAsync(h.ConnectionString)).Count, Is.EqualTo(afterFirst.Count), "a second run changes nothing");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM case_retention_records"), Is.EqualTo(1));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM cases WHERE id = @open", new { open }), Is.EqualTo("open"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM case_requests WHERE case_id = @open", new { open }), Is.EqualTo(1));
            Assert.That(retention.Purgers.Select(p => p.Name), Is.SupersetOf(new[] { "cases", "workflows", "collation", "correspondence", "intake" }), "every module holding a case's data has a purger");
            Assert.That(retention.Purgers[^1].Name, Is.EqualTo("intake"), "stored mail goes last: the request and triage replies refer to it");
        });
    }

    /// <summary>Each table and the purger that empties it of a case ("-": holds no personal data of a case).</summary>
    private static readonly Dictionary<string, string> Classified = new(StringComparer.Ordinal)
    {
        ["cases"] = "cases", ["case_clocks"] = "cases", ["case_clock_pauses"] = "cases", ["case_clock_history"] = "cases",
        ["case_notes"] = "cases", ["case_requests"] = "cases", ["case_links"] = "cases", ["case_search_tokens"] = "cases",
        ["api_idempotency_keys"] = "cases",
        ["workflow_instances"] = "workflows", ["workflow_tasks"] = "workflows", ["jobs"] = "workflows", ["incidents"] = "workflows",
        ["workflow_log"] = "workflows",
        ["outbound_notifications"] = "correspondence", ["outbound_messages"] = "correspondence", ["correspondence_triage_replies"] = "correspondence",
        ["inbound_messages"] = "intake", ["messages_cases"] = "intake", ["intake_triage"] = "intake",
        ["collation_identities"] = "collation", ["collation_runs"] = "collation", ["collation_items"] = "collation",
        ["collation_item_sources"] = "collation", ["collation_candidates"] = "collation", ["collation_scopes"] = "collation",
        ["disclosure_responses"] = "disclosure-responses", ["disclosure_dispatches"] = "disclosure-dispatch",

        // No personal data of a case: counters, the calendar, staff and their tokens, the form guard, definitions and
        // version moves, the migration journal, the statistics record; the audit trail holds ids only and is kept
        // (append-only and hash-chained: UK GDPR Art 5(2)).
        ["case_reference_counters"] = "-", ["deadline_calendar"] = "-", ["staff_users"] = "-", ["api_tokens"] = "-",
        ["form_submissions"] = "-", ["audit_events"] = "-", ["audit_chain_head"] = "-", ["workflow_definitions"] = "-",
        ["workflow_migrations"] = "-", ["schemaversions"] = "-", ["case_retention_records"] = "-",
    };

    [Test]
    public async Task EveryTable_IsEmptiedOfACaseByARegisteredPurger_OrHoldsNoCaseData()
    {
        await using var h = await HarnessAsync(new RecordingMailSender());
        var names = h.Services.GetRequiredService<CaseRetention>().Purgers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        await using var connection = await h.DataSource.OpenConnectionAsync();
        var tables = await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");

        // A table not listed above belongs to the module its prefix names (disclosure_, documents_...), which must
        // register an ICaseDataPurger of that name (or the table is added above, saying why it holds no case data).
        var unpurged = tables
            .Select(t => (Table: t, Purger: Classified.TryGetValue(t, out var p) ? p : t.Split('_')[0]))
            .Where(t => t.Purger != "-" && !names.Contains(t.Purger))
            .Select(t => $"{t.Table} (no purger named '{t.Purger}')")
            .ToList();
        Assert.That(unpurged, Is.Empty, "tables whose case data nothing purges");
    }

    [Test]
    public async Task TheServiceRole_StillCannotDeleteTheWorkflowLog_AndThePurgeFunctionRefusesACaseNotBeingPurged()
    {
        await using var h = await HarnessAsync(new RecordingMailSender());
        var caseId = await h.OpenCaseAsync(KccRights.Domain.Cases.Right.Access);
        await h.RaiseAsync(caseId, "withdrawn");
        Assert.That(await h.ScalarAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("closed"));
        await using var connection = await h.DataSource.OpenConnectionAsync();
        Assert.That(
            async () => await connection.ExecuteAsync("DELETE FROM workflow_log WHERE case_id = @caseId", new { caseId }),
            Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo("42501"),
            "the service may not delete log rows itself");
        Assert.That(
            async () => await connection.ExecuteAsync("SELECT workflow_log_purge_case(@caseId)", new { caseId }),
            Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.MessageText)).Contains("not a closed case being purged"),
            "closed but not being purged");
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("SELECT set_config('kccrights.purging_case', @id, true)", new { id = caseId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, transaction);
            Assert.That(
                async () => await connection.ExecuteAsync("DELETE FROM workflow_log WHERE case_id = @caseId", new { caseId }, transaction),
                Throws.InstanceOf<PostgresException>(),
                "the trigger's setting alone opens nothing");
        }

        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId", new { caseId }), Is.GreaterThan(0));
    }

    [Test]
    public void TheRetentionPeriod_IsValidated()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new RetentionOptions().Cutoff(Start), Is.EqualTo(Start.AddYears(-2)), "default two years");
            Assert.That(new RetentionOptions { AfterClosure = "18m" }.Cutoff(Start), Is.EqualTo(Start.AddMonths(-18)));
            Assert.That(new RetentionOptions { AfterClosure = "730d" }.Cutoff(Start), Is.EqualTo(Start.AddDays(-730)));
            Assert.That(Problems(new RetentionOptions()), Is.Empty);
            Assert.That(Problems(new RetentionOptions { AfterClosure = "two years" }), Has.One.Contains("Retention:AfterClosure"));
            Assert.That(Problems(new RetentionOptions { AfterClosure = "0d" }), Has.One.Contains("at least 1 day"));
            Assert.That(Problems(new RetentionOptions { SweepInterval = TimeSpan.FromSeconds(5) }), Has.One.Contains("Retention:SweepInterval"));
        });

        static List<string> Problems(RetentionOptions options) =>
            options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage ?? "").ToList();
    }
}
