using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace KccRights.Collation.Demo;

/// <summary>What a demo-data run made and how long it took.</summary>
public sealed record DemoDataResult(DemoTruth Truth, long Rows, TimeSpan Elapsed, TimeSpan LoadElapsed, TimeSpan IndexElapsed, string DocumentsFolder)
{
    public double RowsPerSecond => Rows / Math.Max(LoadElapsed.TotalSeconds, 0.001);
}

/// <summary>
/// <c>kccrights demo-data</c>: deterministic synthetic source systems in the configured database (issue 11 Build 1), each in
/// its own schema, loaded with binary COPY and indexed after the load, with the people of people.tsv planted in the
/// systems it lists, a folder of documents, and the truth (who is where, and where third-party names were planted).
/// Runs as the owner (it creates schemas); grants the service's role SELECT on them.
/// </summary>
public sealed partial class DemoDataGenerator(string ownerConnectionString, string dataDirectory, DemoScale scale, int seed, ILogger logger)
{
    public const string DocumentsFolderName = "demo-documents";
    private static readonly DateOnly Today = new(2026, 9, 1);
    private readonly List<PlantedMention> _plantedMentions = [];
    private readonly Dictionary<string, Dictionary<string, List<string>>> _people = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, List<string>>>> _records = new(StringComparer.Ordinal);
    private long _rows;
    private NpgsqlBinaryImporter? _mentions;

    public string DocumentsFolder => Path.Combine(dataDirectory, DocumentsFolderName);

    public async Task<DemoDataResult> GenerateAsync(IReadOnlyList<PlantedPerson> planted, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var world = DemoWorld.Build(planted, scale, seed);
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ownerConnectionString) { CommandTimeout = 0 }.ConnectionString);
        await using (var setup = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var ddl = "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;"
                + string.Concat(DemoSchema.Schemas.Select(s => $"DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s};"))
                + DemoSchema.Tables;
            await using var command = new NpgsqlCommand(ddl, setup);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var documents = new DemoDocuments(DocumentsFolder, seed, scale.FillerDocuments);
        documents.Reset();
        var load = Stopwatch.StartNew();

        // Attendance (the bulk) loads on its own connection beside everything else: two cores, two streams.
        var attendance = Task.Run(() => LoadAttendanceAsync(dataSource, world, cancellationToken), cancellationToken);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var mentionsConnection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            _mentions = await mentionsConnection.BeginBinaryImportAsync(
                "COPY src_demo.third_party_mentions (system, dataset, record_id, mention, kind, start_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
            await LoadEducationAsync(connection, world, documents, cancellationToken);
            await LoadEarlyHelpAsync(connection, world, cancellationToken);
            await LoadSocialCareAsync(connection, world, cancellationToken);
            await LoadYouthJusticeAsync(connection, world, cancellationToken);
            await LoadSendAsync(connection, world, cancellationToken);
            await LoadAdmissionsAsync(connection, world, cancellationToken);
            await _mentions.CompleteAsync(cancellationToken);
            await _mentions.DisposeAsync();
            _mentions = null;
            await LoadPlantedAsync(connection, cancellationToken);
        }

        _rows += await attendance;
        load.Stop();
        Log.Loaded(logger, _rows, load.Elapsed.TotalSeconds);

        var index = Stopwatch.StartNew();
        await BuildIndexesAsync(dataSource, cancellationToken);
        index.Stop();

        var files = documents.Write(world);
        _plantedMentions.AddRange(documents.Mentions);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            foreach (var m in documents.Mentions)
            {
                await using var insert = new NpgsqlCommand("INSERT INTO src_demo.third_party_mentions (system, dataset, record_id, mention, kind, start_at) VALUES ($1, $2, $3, $4, $5, $6)", connection)
                {
                    Parameters = { new() { Value = m.System }, new() { Value = m.Dataset }, new() { Value = m.RecordId }, new() { Value = m.Mention }, new() { Value = m.Kind }, new() { Value = m.Start } },
                };
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        foreach (var (key, names) in files)
        {
            Records(key, "documents", "files").AddRange(names);
            Person(key, "documents").AddRange(names);
        }

        var truth = new DemoTruth
        {
            Seed = seed,
            Scale = scale.Name,
            // Keys in order (attendance is recorded from its own stream), so the same seed writes the same file.
            People = _people.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(
                p => p.Key, p => p.Value.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value)),
            Records = _records.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(
                p => p.Key,
                p => p.Value.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(
                    s => s.Key, s => s.Value.OrderBy(d => d.Key, StringComparer.Ordinal).ToDictionary(d => d.Key, d => d.Value))),
            Mentions = _plantedMentions.OrderBy(m => m.System, StringComparer.Ordinal).ThenBy(m => m.Dataset, StringComparer.Ordinal)
                .ThenBy(m => m.RecordId, StringComparer.Ordinal).ThenBy(m => m.Start).ToList(),
        };
        return new DemoDataResult(truth, _rows, total.Elapsed, load.Elapsed, index.Elapsed, DocumentsFolder);
    }

    private static async Task BuildIndexesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // Two connections build indexes side by side, a table at a time (an index and a primary key on one table at once
        // deadlock); then statistics, and read access for the service's role.
        var queue = new Queue<string>(DemoSchema.Indexes
            .GroupBy(sql => System.Text.RegularExpressions.Regex.Match(sql, @"(?:ON|TABLE) (\S+)").Groups[1].Value, StringComparer.Ordinal)
            .OrderByDescending(g => g.Key == "src_education.attendance")
            .Select(g => string.Join(";\n", g)));
        async Task Worker()
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using (var mem = new NpgsqlCommand("SET maintenance_work_mem = '512MB'", connection))
            {
                await mem.ExecuteNonQueryAsync(cancellationToken);
            }

            while (true)
            {
                string? sql;
                lock (queue)
                {
                    if (!queue.TryDequeue(out sql))
                    {
                        return;
                    }
                }

                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await using var command = new NpgsqlCommand(sql, connection);
                        await command.ExecuteNonQueryAsync(cancellationToken);
                        break;
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 3)
                    {
                        // The victim's statements were rolled back: building them again is safe.
                    }
                }
            }
        }

        await Task.WhenAll(Worker(), Worker());
        await using var final = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var grant = new NpgsqlCommand(
            $"""
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kccrights_app') THEN
                {string.Concat(DemoSchema.Schemas.Select(s => $"GRANT USAGE ON SCHEMA {s} TO kccrights_app; GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO kccrights_app;"))}
              END IF;
            END $$;
            """,
            final);
        await grant.ExecuteNonQueryAsync(cancellationToken);

        // Statistics for the demo tables only, each in its own statement (a database-wide ANALYZE in one transaction
        // with the grants could deadlock with autovacuum on the catalogs).
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname = ANY($1)", final) { Parameters = { new() { Value = DemoSchema.Schemas } } })
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            await using var analyze = new NpgsqlCommand($"ANALYZE {table}", final);
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    // ---- truth bookkeeping ----

    internal List<string> Person(string key, string system)
    {
        if (!_people.TryGetValue(key, out var systems))
        {
            _people[key] = systems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        }

        if (!systems.TryGetValue(system, out var ids))
        {
            systems[system] = ids = [];
        }

        return ids;
    }

    internal List<string> Records(string key, string system, string dataset)
    {
        if (!_records.TryGetValue(key, out var systems))
        {
            _records[key] = systems = new(StringComparer.Ordinal);
        }

        if (!systems.TryGetValue(system, out var datasets))
        {
            systems[system] = datasets = new(StringComparer.Ordinal);
        }

        if (!datasets.TryGetValue(dataset, out var ids))
        {
            datasets[dataset] = ids = [];
        }

        return ids;
    }

    private void Record(DemoPerson person, string system, string dataset, string recordId)
    {
        if (person.Planted is { } p)
        {
            Records(p.Key, system, dataset).Add(recordId);
        }
    }

    private async Task<string> NoteAsync(NoteBuilder note, DemoPerson person, string system, string dataset, string recordId, CancellationToken cancellationToken)
    {
        foreach (var m in note.Mentions(system, dataset, recordId))
        {
            await _mentions!.StartRowAsync(cancellationToken);
            await _mentions.WriteAsync(m.System, NpgsqlDbType.Text, cancellationToken);
            await _mentions.WriteAsync(m.Dataset, NpgsqlDbType.Text, cancellationToken);
            await _mentions.WriteAsync(m.RecordId, NpgsqlDbType.Text, cancellationToken);
            await _mentions.WriteAsync(m.Mention, NpgsqlDbType.Text, cancellationToken);
            await _mentions.WriteAsync(m.Kind, NpgsqlDbType.Text, cancellationToken);
            await _mentions.WriteAsync(m.Start, NpgsqlDbType.Integer, cancellationToken);
            _rows++;
            if (person.Planted is not null)
            {
                _plantedMentions.Add(m);
            }
        }

        return note.Build();
    }

    private static NoteCast Cast(DemoWorld world, DemoPerson person, ref DemoRandom r, string system)
    {
        var (given, family) = person.NameIn(system);
        var mother = r.Chance(0.6);
        return new NoteCast(
            $"{given} {family}",
            mother ? person.Mother : person.Father,
            mother ? "mother" : "father",
            world.OtherChildren[r.Next(world.OtherChildren.Count)],
            world.Professionals[r.Next(world.Professionals.Count)],
            world.RelativeOf(person));
    }

    // ---- writers ----

    private sealed class Copy(NpgsqlBinaryImporter importer) : IAsyncDisposable
    {
        public long Rows { get; private set; }

        public async Task RowAsync(CancellationToken ct, params (object? Value, NpgsqlDbType Type)[] values)
        {
            await importer.StartRowAsync(ct);
            foreach (var (value, type) in values)
            {
                if (value is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(value, type, ct);
                }
            }

            Rows++;
        }

        public async ValueTask DisposeAsync()
        {
            await importer.CompleteAsync();
            await importer.DisposeAsync();
        }
    }

    private static async Task<Copy> CopyAsync(NpgsqlConnection connection, string table, string columns, CancellationToken ct) =>
        new(await connection.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", ct));

    private const NpgsqlDbType T = NpgsqlDbType.Text;
    private const NpgsqlDbType I = NpgsqlDbType.Integer;
    private const NpgsqlDbType B = NpgsqlDbType.Bigint;
    private const NpgsqlDbType D = NpgsqlDbType.Date;
    private const NpgsqlDbType Ts = NpgsqlDbType.Timestamp;

    private static string Dmy(DateOnly d) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    private static DateOnly Between(ref DemoRandom r, DateOnly from, DateOnly to) =>
        to <= from ? from : DateOnly.FromDayNumber(from.DayNumber + r.Next(to.DayNumber - from.DayNumber));

    private static DateOnly SchoolAge(DemoPerson p, int age) => p.DateOfBirth.AddYears(age) is var d && d > Today ? Today.AddDays(-30) : d;

    private async Task<long> LoadAttendanceAsync(NpgsqlDataSource dataSource, DemoWorld world, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY src_education.attendance (pupil_id, session_date, session, mark) FROM STDIN (FORMAT BINARY)", ct);
        long rows = 0;
        const string Marks = "////////\\\\\\\\\\IIMOLB";
        var pupils = world.Pupils;
        for (var i = 0; i < pupils.Count; i++)
        {
            var pupil = pupils[i];
            var r = new DemoRandom(seed, 101, i);
            var pupilId = DemoWorld.PupilId(i);
            var start = SchoolAge(pupil, r.Next(5, 16));
            if (start.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                start = start.AddDays(2);
            }

            var day = start;
            for (var s = 0; s < scale.SessionsPerPupil; s += 2)
            {
                while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                {
                    day = day.AddDays(1);
                }

                for (var half = 0; half < 2 && s + half < scale.SessionsPerPupil; half++)
                {
                    var mark = Marks[r.Next(Marks.Length)];
                    if (half == 0 && mark == '\\')
                    {
                        mark = '/';
                    }
                    else if (half == 1 && mark == '/')
                    {
                        mark = '\\';
                    }

                    // Synchronous writes on this stream's own thread: the async API costs a state machine per value, and
                    // this table is the bulk of the large scale (50 million rows).
                    importer.StartRow();
                    importer.Write(pupilId, NpgsqlDbType.Integer);
                    importer.Write(day, NpgsqlDbType.Date);
                    importer.Write(half == 0 ? "AM" : "PM", NpgsqlDbType.Char);
                    importer.Write(mark, NpgsqlDbType.Char);
                    rows++;
                }

                day = day.AddDays(1);
            }

            if (pupil.Planted is { } p)
            {
                // Attendance is collated as one record per pupil per academic year.
                lock (_records)
                {
                    foreach (var year in AcademicYears(start, day))
                    {
                        Records(p.Key, "education", "attendance").Add($"{DemoWorld.PupilId(i)}-{year}");
                    }
                }
            }
        }

        await importer.CompleteAsync(ct);
        return rows;
    }

    private static SortedSet<int> AcademicYears(DateOnly from, DateOnly toExclusive)
    {
        var years = new SortedSet<int>();
        for (var d = from; d < toExclusive; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                years.Add(d.Month >= 9 ? d.Year : d.Year - 1);
            }
        }

        return years;
    }

    private async Task LoadEducationAsync(NpgsqlConnection c, DemoWorld world, DemoDocuments documents, CancellationToken ct)
    {
        const string S = "education";
        await using (var pupils = await CopyAsync(c, "src_education.pupils", "pupil_id, upn, forename, middle_names, surname, former_surname, date_of_birth, gender, address_line1, town, postcode, school_name, admission_date", ct))
        {
            for (var i = 0; i < world.Pupils.Count; i++)
            {
                var p = world.Pupils[i];
                var (given, family) = p.NameIn(S);
                var former = p.PreviousFamily is { } prev && !string.Equals(prev, family, StringComparison.Ordinal) ? prev : null;
                var id = DemoWorld.PupilId(i);
                await pupils.RowAsync(ct, (id, I), (p.Upn, T), (given, T), (p.Middle, T), (family, T), (former, T), (p.DateOfBirth, D),
                    (p.Sex.ToString(), NpgsqlDbType.Char), (p.Address, T), (p.Town, T), (p.Postcode, T), (p.School, T), (SchoolAge(p, 4), D));
                Record(p, S, "pupils", id.ToString(CultureInfo.InvariantCulture));
                if (p.Planted is { } planted)
                {
                    Person(planted.Key, S).Add(id.ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += pupils.Rows;
        }

        var letterCount = 0;
        await using (var exclusions = await CopyAsync(c, "src_education.exclusions", "exclusion_ref, pupil_id, start_date, category, sessions, reason, letter_name, letter_pdf", ct))
        {
            for (var i = 0; i < world.Pupils.Count; i++)
            {
                var p = world.Pupils[i];
                var r = new DemoRandom(seed, 102, i);
                var n = p.Planted is { } pl ? (pl.Note.Contains("exclusion", StringComparison.Ordinal) ? 1 : 0) : (r.Chance(0.08) ? r.Next(1, 3) : 0);
                for (var k = 0; k < n; k++)
                {
                    var id = DemoWorld.PupilId(i);
                    var reference = $"EX{id}-{k + 1}";
                    var date = p.Planted is not null ? new DateOnly(2024, 3, 12) : Between(ref r, SchoolAge(p, 6), SchoolAge(p, 16));
                    var cast = Cast(world, p, ref r, S);
                    var reason = r.Pick(["Persistent disruptive behaviour", "Physical assault against a pupil", "Verbal abuse against an adult", "Damage to property"]);
                    byte[]? letter = null;
                    string? letterName = null;
                    if (p.Planted is not null || letterCount < scale.FillerDocuments / 4)
                    {
                        // The same letter is kept in the school system and on the documents share: collated once, two provenances.
                        letterCount++;
                        (letterName, letter) = documents.ExclusionLetter(p, id, reference, date, reason, cast);
                        if (p.Planted is { } planted)
                        {
                            documents.Planted(planted.Key, letterName);
                        }
                    }

                    await exclusions.RowAsync(ct, (reference, T), (id, I), (date, D), ("Fixed-term", T), (r.Next(1, 11), I), (reason, T), (letterName, T), (letter, NpgsqlDbType.Bytea));
                    Record(p, S, "exclusions", reference);
                }
            }

            _rows += exclusions.Rows;
        }

        await using (var assessments = await CopyAsync(c, "src_education.assessments", "result_id, pupil_id, key_stage, subject, outcome, assessed_on", ct))
        {
            for (var i = 0; i < world.Pupils.Count; i++)
            {
                var p = world.Pupils[i];
                var id = DemoWorld.PupilId(i);
                var r = new DemoRandom(seed, 103, i);
                var k = 0;
                foreach (var (stage, age) in new[] { ("KS1", 7), ("KS2", 11), ("KS4", 16) })
                {
                    var on = new DateOnly(p.DateOfBirth.Year + age + (p.DateOfBirth.Month >= 9 ? 1 : 0), 6, 20);
                    if (on >= Today)
                    {
                        break;
                    }

                    foreach (var subject in stage == "KS4" ? new[] { "English", "Mathematics" } : new[] { "Reading", "Mathematics" })
                    {
                        var resultId = (long)id * 10 + k++;
                        var outcome = stage == "KS4" ? r.Next(3, 10).ToString(CultureInfo.InvariantCulture) : r.Pick(["WTS", "EXS", "GDS"]);
                        await assessments.RowAsync(ct, (resultId, B), (id, I), (stage, T), (subject, T), (outcome, T), (on, D));
                        Record(p, S, "assessments", resultId.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }

            _rows += assessments.Rows;
        }

        await using (var sen = await CopyAsync(c, "src_education.sen_support", "sen_id, pupil_id, primary_need, provision, reviewed_on, notes", ct))
        {
            var next = 1;
            for (var i = 0; i < world.Pupils.Count; i++)
            {
                var p = world.Pupils[i];
                var r = new DemoRandom(seed, 104, i);
                var planted = p.Planted is { } pl && pl.Systems.Contains("send");
                if (!planted && (p.Planted is not null || !r.Chance(0.12)))
                {
                    continue;
                }

                var id = next++;
                var note = new NoteBuilder();
                DemoText.Short(note, Cast(world, p, ref r, S), "SEN support plan reviewed");
                var text = await NoteAsync(note, p, S, "sen-support", id.ToString(CultureInfo.InvariantCulture), ct);
                await sen.RowAsync(ct, (id, I), (DemoWorld.PupilId(i), I), (r.Pick(["SEMH", "SLCN", "ASD", "MLD", "SpLD"]), T), ("SEN support", T), (Between(ref r, SchoolAge(p, 5), SchoolAge(p, 15)), D), (text, T));
                Record(p, S, "sen-support", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += sen.Rows;
        }

        await using (var medical = await CopyAsync(c, "src_education.medical_notes", "note_id, pupil_id, recorded_on, condition, note", ct))
        {
            var next = 1;
            for (var i = 0; i < world.Pupils.Count; i++)
            {
                var p = world.Pupils[i];
                var r = new DemoRandom(seed, 105, i);
                if (!(p.Planted?.IsSubject ?? r.Chance(0.08)))
                {
                    continue;
                }

                var id = next++;
                var note = new NoteBuilder();
                DemoText.Short(note, Cast(world, p, ref r, S), "Medical care plan (asthma inhaler kept in the office)");
                var text = await NoteAsync(note, p, S, "medical-notes", id.ToString(CultureInfo.InvariantCulture), ct);
                await medical.RowAsync(ct, (id, I), (DemoWorld.PupilId(i), I), (Between(ref r, SchoolAge(p, 5), SchoolAge(p, 15)), D), (r.Pick(["Asthma", "Epilepsy", "Type 1 diabetes", "Severe allergy"]), T), (text, T));
                Record(p, S, "medical-notes", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += medical.Rows;
        }

        await using (var incidents = await CopyAsync(c, "src_education.incidents", "incident_id, pupil_id, occurred_on, category, involvement, narrative", ct))
        {
            var next = 1;
            for (var i = 0; i < world.Pupils.Count; i++)
            {
                var p = world.Pupils[i];
                var r = new DemoRandom(seed, 106, i);
                if (!(p.Planted?.IsSubject ?? r.Chance(0.1)))
                {
                    continue;
                }

                var id = next++;
                var victim = r.Chance(0.5);
                var note = new NoteBuilder();
                DemoText.Incident(note, Cast(world, p, ref r, S), victim);
                var text = await NoteAsync(note, p, S, "incidents", id.ToString(CultureInfo.InvariantCulture), ct);
                await incidents.RowAsync(ct, (id, I), (DemoWorld.PupilId(i), I), (Between(ref r, SchoolAge(p, 6), SchoolAge(p, 16)), D), (r.Pick(["Bullying", "Racial incident"]), T), (victim ? "victim" : "perpetrator", T), (text, T));
                Record(p, S, "incidents", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += incidents.Rows;
        }
    }

    private async Task LoadEarlyHelpAsync(NpgsqlConnection c, DemoWorld world, CancellationToken ct)
    {
        const string S = "early-help";
        var clients = world.EarlyHelp;
        await using (var families = await CopyAsync(c, "src_early_help.families", "family_ref, address, postcode, parent_names, lead_worker, opened", ct))
        {
            foreach (var (familyRef, members) in world.EarlyHelpFamilies)
            {
                var first = clients[members[0]];
                var r = new DemoRandom(seed, 201, members[0]);
                var lead = world.Professionals[r.Next(world.Professionals.Count)];
                await families.RowAsync(ct, (familyRef, T), ($"{first.Address}, {first.Town}", T), (first.Postcode, T), ($"{first.Mother}; {first.Father}", T), (lead.Name, T), (Dmy(SchoolAge(first, r.Next(2, 12))), T));
                foreach (var m in members)
                {
                    Record(clients[m], S, "families", familyRef);
                }

            }

            _rows += families.Rows;
        }

        await using (var rows = await CopyAsync(c, "src_early_help.clients", "client_no, family_ref, given_name, family_name, dob, sex, postcode", ct))
        {
            for (var i = 0; i < clients.Count; i++)
            {
                var p = clients[i];
                var (given, family) = p.NameIn(S);
                await rows.RowAsync(ct, (DemoWorld.ClientNo(i), I), (world.FamilyRefOf(i), T), (given, T), (family, T), (Dmy(p.DateOfBirth), T), (p.Sex == 'M' ? "Male" : "Female", T), (p.Postcode, T));
                if (p.Planted is { } planted)
                {
                    Person(planted.Key, S).Add(DemoWorld.ClientNo(i).ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += rows.Rows;
        }

        await using (var episodes = await CopyAsync(c, "src_early_help.episodes", "episode_no, client_no, start_dt, end_dt, presenting_need, outcome", ct))
        {
            var next = 1;
            for (var i = 0; i < clients.Count; i++)
            {
                var p = clients[i];
                var r = new DemoRandom(seed, 202, i);
                for (var k = 0; k < (p.Planted is not null ? 1 : r.Next(1, 3)); k++)
                {
                    var id = next++;
                    var start = Between(ref r, SchoolAge(p, 3), SchoolAge(p, 15));
                    await episodes.RowAsync(ct, (id, I), (DemoWorld.ClientNo(i), I), (Dmy(start), T), (Dmy(start.AddDays(r.Next(60, 400))), T), (r.Pick(["School attendance", "Parenting support", "Emotional wellbeing", "Housing"]), T), (r.Pick(["Stepped down", "Needs met", "Stepped up to social care"]), T));
                    Record(p, S, "episodes", id.ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += episodes.Rows;
        }

        await using (var notes = await CopyAsync(c, "src_early_help.notes", "note_no, client_no, written, author, note_body", ct))
        {
            long next = 1;
            for (var i = 0; i < clients.Count; i++)
            {
                var p = clients[i];
                var r = new DemoRandom(seed, 203, i);
                for (var k = 0; k < (p.Planted is not null ? 3 : r.Next(1, 5)); k++)
                {
                    var id = next++;
                    var cast = Cast(world, p, ref r, S);
                    var note = new NoteBuilder();
                    DemoText.CaseNote(note, cast, ref r);
                    var text = await NoteAsync(note, p, S, "notes", id.ToString(CultureInfo.InvariantCulture), ct);
                    var at = Between(ref r, SchoolAge(p, 3), SchoolAge(p, 16));
                    await notes.RowAsync(ct, (id, B), (DemoWorld.ClientNo(i), I), ($"{Dmy(at)} {r.Next(9, 17):D2}:{r.Next(0, 60):D2}", T), (cast.Worker.Name, T), (text, T));
                    Record(p, S, "notes", id.ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += notes.Rows;
        }
    }

    private async Task LoadSocialCareAsync(NpgsqlConnection c, DemoWorld world, CancellationToken ct)
    {
        const string S = "social-care";
        var people = world.SocialCare;
        await using (var rows = await CopyAsync(c, "src_social_care.persons", "person_id, first_names, surname, alias_surname, birth_dttm, gender_code, person_type, address, post_code", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var (given, family) = p.NameIn(S);
                var alias = p.PreviousFamily is { } prev && !string.Equals(prev, family, StringComparison.Ordinal) ? prev.ToUpperInvariant() : null;
                var first = p.Middle is null ? given : $"{given} {p.Middle}";
                await rows.RowAsync(ct, (DemoWorld.SocialCareId(i), B), (first, T), (family.ToUpperInvariant(), T), (alias, T), (p.DateOfBirth.ToDateTime(TimeOnly.MinValue), Ts), ((short)(p.Sex == 'M' ? 1 : 2), NpgsqlDbType.Smallint), (p.Adult ? "ADULT" : "CHILD", T), ($"{p.Address}, {p.Town}", T), (p.Postcode.Replace(" ", "", StringComparison.Ordinal), T));
                Record(p, S, "persons", DemoWorld.SocialCareId(i).ToString(CultureInfo.InvariantCulture));
                if (p.Planted is { } planted)
                {
                    Person(planted.Key, S).Add(DemoWorld.SocialCareId(i).ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += rows.Rows;
        }

        await using (var referrals = await CopyAsync(c, "src_social_care.referrals", "referral_id, person_id, referral_dttm, source, reason, outcome", ct))
        {
            long next = 9_000_001;
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 301, i);
                if (p.Adult)
                {
                    continue;
                }

                for (var k = 0; k < (p.Planted is not null ? 1 : r.Next(1, 3)); k++)
                {
                    var id = next++;
                    await referrals.RowAsync(ct, (id, B), (DemoWorld.SocialCareId(i), B), (Between(ref r, SchoolAge(p, 1), SchoolAge(p, 16)).ToDateTime(new TimeOnly(10, 30)), Ts), (r.Pick(["School", "Police", "Health", "Anonymous"]), T), (r.Pick(["Neglect", "Domestic abuse", "Emotional harm", "Child in need"]), T), (r.Pick(["Assessment", "No further action", "Early help"]), T));
                    Record(p, S, "referrals", id.ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += referrals.Rows;
        }

        await using (var assessments = await CopyAsync(c, "src_social_care.assessments", "assessment_id, person_id, started, completed, assessment_type, summary", ct))
        {
            long next = 7_000_001;
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 302, i);
                if (p.Adult || (p.Planted is null && !r.Chance(0.7)))
                {
                    continue;
                }

                var id = next++;
                var note = new NoteBuilder();
                DemoText.Short(note, Cast(world, p, ref r, S), "Child and family assessment completed");
                var text = await NoteAsync(note, p, S, "assessments", id.ToString(CultureInfo.InvariantCulture), ct);
                var start = Between(ref r, SchoolAge(p, 1), SchoolAge(p, 16));
                await assessments.RowAsync(ct, (id, B), (DemoWorld.SocialCareId(i), B), (start.ToDateTime(new TimeOnly(9, 0)), Ts), (start.AddDays(35).ToDateTime(new TimeOnly(16, 0)), Ts), ("Child and family assessment", T), (text, T));
                Record(p, S, "assessments", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += assessments.Rows;
        }

        await using (var notes = await CopyAsync(c, "src_social_care.case_notes", "case_note_id, person_id, note_dttm, worker, note_text", ct))
        {
            long next = 3_000_001;
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 303, i);
                for (var k = 0; k < (p.Planted is not null ? 2 : r.Next(1, 5)); k++)
                {
                    var id = next++;
                    var cast = Cast(world, p, ref r, S);
                    var note = new NoteBuilder();
                    if (p.Adult)
                    {
                        var (given, family) = p.NameIn(S);
                        note.Text($"{given} {family} (parent) attended the child protection conference with ").Name(cast.Worker.Name, "professional")
                            .Text($", {cast.Worker.Role}. He spoke about his son ").Name(world.ChildOf(p) ?? cast.OtherChild, "family").Text('.'.ToString());
                    }
                    else
                    {
                        DemoText.CaseNote(note, cast, ref r);
                    }

                    var text = await NoteAsync(note, p, S, "case-notes", id.ToString(CultureInfo.InvariantCulture), ct);
                    var at = p.Adult ? new DateOnly(2019, 5, 14) : Between(ref r, SchoolAge(p, 1), SchoolAge(p, 17));
                    await notes.RowAsync(ct, (id, B), (DemoWorld.SocialCareId(i), B), (at.ToDateTime(new TimeOnly(r.Next(9, 17), r.Next(0, 60))), Ts), (cast.Worker.Name, T), (text, T));
                    Record(p, S, "case-notes", id.ToString(CultureInfo.InvariantCulture));
                }
            }

            _rows += notes.Rows;
        }

        await using (var plans = await CopyAsync(c, "src_social_care.plans", "plan_id, person_id, plan_type, start_date, end_date, details", ct))
        {
            long next = 4_000_001;
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 304, i);
                var lookedAfter = p.Planted?.Note.Contains("looked after", StringComparison.Ordinal) ?? false;
                if (p.Adult || (p.Planted is not null && !lookedAfter) || (p.Planted is null && !r.Chance(0.3)))
                {
                    continue;
                }

                var id = next++;
                var (from, to) = lookedAfter ? (new DateOnly(2012, 4, 2), new DateOnly(2019, 2, 19)) : (Between(ref r, SchoolAge(p, 2), SchoolAge(p, 12)), (DateOnly?)null ?? Between(ref r, SchoolAge(p, 12), SchoolAge(p, 17)));
                var note = new NoteBuilder();
                DemoText.Short(note, Cast(world, p, ref r, S), lookedAfter ? "Care plan (looked after child, foster placement)" : "Child in need plan");
                var text = await NoteAsync(note, p, S, "plans", id.ToString(CultureInfo.InvariantCulture), ct);
                await plans.RowAsync(ct, (id, B), (DemoWorld.SocialCareId(i), B), (lookedAfter ? "Looked after child" : "Child in need", T), (from.ToDateTime(TimeOnly.MinValue), Ts), (to.ToDateTime(TimeOnly.MinValue), Ts), (text, T));
                Record(p, S, "plans", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += plans.Rows;
        }
    }

    private async Task LoadYouthJusticeAsync(NpgsqlConnection c, DemoWorld world, CancellationToken ct)
    {
        const string S = "youth-justice";
        var people = world.YouthJustice;
        await using (var rows = await CopyAsync(c, "src_youth_justice.young_people", "yp_id, first_name, last_name, dob_yyyymmdd, gender, postcode, upn", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var (given, family) = p.NameIn(S);
                await rows.RowAsync(ct, (DemoWorld.YouthJusticeId(i), T), (given, T), (family, T), (p.DateOfBirth.ToString("yyyyMMdd", CultureInfo.InvariantCulture), T), (p.Sex == 'M' ? "male" : "female", T), (p.Postcode, T), (new DemoRandom(seed, 400, i).Chance(0.5) ? p.Upn : null, T));
                Record(p, S, "young-people", DemoWorld.YouthJusticeId(i));
                if (p.Planted is { } planted)
                {
                    Person(planted.Key, S).Add(DemoWorld.YouthJusticeId(i));
                }
            }

            _rows += rows.Rows;
        }

        await using (var offences = await CopyAsync(c, "src_youth_justice.offences", "offence_id, yp_id, offence_date, offence_type, outcome, description", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 401, i);
                for (var k = 0; k < (p.Planted is not null ? 2 : r.Next(1, 4)); k++)
                {
                    var id = $"{DemoWorld.YouthJusticeId(i)}-O{k + 1}";
                    var note = new NoteBuilder();
                    var cast = Cast(world, p, ref r, S);
                    note.Text(cast.Child).Text(" was arrested with ").Name(cast.OtherChild, "child").Text(" after a shop theft. Interviewed with ")
                        .Name(cast.Parent, "family").Text(" present as appropriate adult.");
                    var text = await NoteAsync(note, p, S, "offences", id, ct);
                    await offences.RowAsync(ct, (id, T), (DemoWorld.YouthJusticeId(i), T), (Between(ref r, SchoolAge(p, 12), SchoolAge(p, 17)), D), (r.Pick(["Theft", "Criminal damage", "Common assault", "Possession"]), T), (r.Pick(["Youth caution", "Referral order", "Community resolution"]), T), (text, T));
                    Record(p, S, "offences", id);
                }
            }

            _rows += offences.Rows;
        }

        await using (var interventions = await CopyAsync(c, "src_youth_justice.interventions", "intervention_id, yp_id, started, ended, programme, worker, summary", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 402, i);
                for (var k = 0; k < (p.Planted is not null ? 1 : r.Next(0, 3)); k++)
                {
                    var id = $"{DemoWorld.YouthJusticeId(i)}-I{k + 1}";
                    var cast = Cast(world, p, ref r, S);
                    var note = new NoteBuilder();
                    DemoText.Short(note, cast, "Referral order intervention plan");
                    var text = await NoteAsync(note, p, S, "interventions", id, ct);
                    var start = Between(ref r, SchoolAge(p, 12), SchoolAge(p, 17));
                    await interventions.RowAsync(ct, (id, T), (DemoWorld.YouthJusticeId(i), T), (start, D), (start.AddDays(r.Next(30, 200)), D), (r.Pick(["Victim awareness", "Education training and employment", "Substance misuse"]), T), (cast.Worker.Name, T), (text, T));
                    Record(p, S, "interventions", id);
                }
            }

            _rows += interventions.Rows;
        }
    }

    private async Task LoadSendAsync(NpgsqlConnection c, DemoWorld world, CancellationToken ct)
    {
        const string S = "send";
        var people = world.Send;
        await using (var rows = await CopyAsync(c, "src_send.children", "send_id, child_forename, child_surname, date_of_birth, upn, home_postcode", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var (given, family) = p.NameIn(S);
                await rows.RowAsync(ct, (DemoWorld.SendId(i), T), (given, T), (family, T), (p.DateOfBirth, D), (p.Upn, T), (p.Postcode, T));
                if (p.Planted is { } planted)
                {
                    Person(planted.Key, S).Add(DemoWorld.SendId(i));
                }
            }

            _rows += rows.Rows;
        }

        await using (var plans = await CopyAsync(c, "src_send.ehc_plans", "plan_no, send_id, issued_on, primary_need, provision_summary, school_named", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 501, i);
                if (p.Planted is null && !r.Chance(0.8))
                {
                    continue;
                }

                var id = 600_001 + i;
                var note = new NoteBuilder();
                DemoText.Short(note, Cast(world, p, ref r, S), "Education, health and care plan issued");
                var text = await NoteAsync(note, p, S, "ehc-plans", id.ToString(CultureInfo.InvariantCulture), ct);
                await plans.RowAsync(ct, (id, I), (DemoWorld.SendId(i), T), (Between(ref r, SchoolAge(p, 4), SchoolAge(p, 9)), D), (r.Pick(["Autism", "Speech, language and communication", "Social, emotional and mental health"]), T), (text, T), (p.School, T));
                Record(p, S, "ehc-plans", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += plans.Rows;
        }

        await using (var assessments = await CopyAsync(c, "src_send.needs_assessments", "assessment_no, send_id, requested_on, decision, decision_on, notes", ct))
        {
            for (var i = 0; i < people.Count; i++)
            {
                var p = people[i];
                var r = new DemoRandom(seed, 502, i);
                var id = 700_001 + i;
                var requested = Between(ref r, SchoolAge(p, 3), SchoolAge(p, 8));
                var note = new NoteBuilder();
                DemoText.Short(note, Cast(world, p, ref r, S), "Request for an EHC needs assessment");
                var text = await NoteAsync(note, p, S, "needs-assessments", id.ToString(CultureInfo.InvariantCulture), ct);
                await assessments.RowAsync(ct, (id, I), (DemoWorld.SendId(i), T), (requested, D), (r.Pick(["Agreed to assess", "Refused to assess"]), T), (requested.AddDays(42), D), (text, T));
                Record(p, S, "needs-assessments", id.ToString(CultureInfo.InvariantCulture));
            }

            _rows += assessments.Rows;
        }
    }

    private async Task LoadAdmissionsAsync(NpgsqlConnection c, DemoWorld world, CancellationToken ct)
    {
        const string S = "admissions";
        var people = world.Admissions;
        await using var rows = await CopyAsync(c, "src_admissions.applications", "application_no, applicant_first, applicant_last, applicant_dob, parent_name, home_address, home_postcode, preference_1, preference_2, offered, submitted_at, supporting_statement", ct);
        for (var i = 0; i < people.Count; i++)
        {
            var p = people[i];
            var r = new DemoRandom(seed, 601, i);
            var (given, family) = p.NameIn(S);
            var id = DemoWorld.ApplicationNo(i);
            var note = new NoteBuilder();
            var cast = Cast(world, p, ref r, S);
            note.Text("Application made by ").Name(cast.Parent, "family").Text($" ({cast.ParentRelation}). Sibling link claimed: ")
                .Name(cast.OtherChild, "child").Text(" attends the first preference.");
            var text = await NoteAsync(note, p, S, "applications", id, ct);
            var submitted = new DateTimeOffset(SchoolAge(p, 10).Year, 10, 20, 14, 0, 0, TimeSpan.Zero);
            await rows.RowAsync(ct, (id, T), (given, T), (family, T), (p.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), T), (cast.Parent, T), ($"{p.Address}, {p.Town}", T), (p.Postcode, T), (p.School, T), (r.Pick(["Canterbury Academy", "Folkestone Academy", "Chatham Grammar"]), T), (p.School, T), (submitted, NpgsqlDbType.TimestampTz), (text, T));
            Record(p, S, "applications", id);
            if (p.Planted is { } planted)
            {
                Person(planted.Key, S).Add(id);
            }
        }

        _rows += rows.Rows;
    }

    private async Task LoadPlantedAsync(NpgsqlConnection c, CancellationToken ct)
    {
        await using var rows = await CopyAsync(c, "src_demo.planted", "key, system, person_id", ct);
        foreach (var (key, systems) in _people.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (system, ids) in systems)
            {
                foreach (var id in ids)
                {
                    await rows.RowAsync(ct, (key, T), (system, T), (id, T));
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1100, LogLevel.Information, "Demo systems loaded: {Rows} rows in {Seconds:F1} s")]
        public static partial void Loaded(ILogger logger, long rows, double seconds);
    }
}

/// <summary>The truth about the demo data: who was planted where, and where third-party names were planted.</summary>
public sealed class DemoTruth
{
    public int Seed { get; init; }

    public string Scale { get; init; } = "";

    /// <summary>For each planted key, each system's person-level record ids.</summary>
    public Dictionary<string, Dictionary<string, List<string>>> People { get; init; } = [];

    /// <summary>For each planted key, each system's datasets' record ids (as the connectors return them).</summary>
    public Dictionary<string, Dictionary<string, Dictionary<string, List<string>>>> Records { get; init; } = [];

    /// <summary>Third-party names planted in the planted people's records (all records: table src_demo.third_party_mentions).</summary>
    public List<PlantedMention> Mentions { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DemoTruth FromJson(string json) => JsonSerializer.Deserialize<DemoTruth>(json, Json) ?? throw new InvalidDataException("empty truth file");
}
