using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace KccRights.Collation.Connectors;

/// <summary>A source system in PostgreSQL, read with the parameterised queries in its configuration entry.</summary>
public sealed class PostgresConnector(SourceSystemOptions system, NpgsqlDataSource dataSource) : ISourceConnector
{
    private static readonly HashSet<string> Shape = new(StringComparer.Ordinal)
    {
        "record_id", "record_date", "title", "free_text", "attachment_name", "attachment_content", "attachment_type",
    };

    public SourceSystemOptions System => system;

    public async Task<IReadOnlyList<PersonRow>> FindPersonAsync(PersonQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (system.FindPerson?.Query is not { } sql)
        {
            return [];
        }

        try
        {
            // One round trip: the trigram threshold for this statement only (a stricter one than pg_trgm's 0.3 default keeps the
            // index's candidate lists short at a million people; misspellings score well above it), then the system's query.
            await using var batch = dataSource.CreateBatch();
            var threshold = new NpgsqlBatchCommand("SELECT set_config('pg_trgm.similarity_threshold', $1, true)");
            threshold.Parameters.Add(new NpgsqlParameter { Value = system.FindPerson.SimilarityThreshold.ToString(CultureInfo.InvariantCulture) });
            batch.BatchCommands.Add(threshold);
            var command = new NpgsqlBatchCommand(sql);
            batch.BatchCommands.Add(command);
            Text(command, "given", query.Given.Trim());
            Text(command, "given_alt", Matching.Nicknames.Alternative(query.Given));
            Text(command, "family", query.Family.Trim());
            Text(command, "previous_family", query.PreviousFamily?.Trim());
            command.Parameters.Add(new NpgsqlParameter("dob", NpgsqlDbType.Date) { Value = query.DateOfBirth is { } d ? d : DBNull.Value });
            Text(command, "postcode", query.Postcode?.Trim().ToUpperInvariant());
            Text(command, "upn", Upns.Normalise(query.Upn));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var rows = new List<PersonRow>();
            int? soundsLike = Enumerable.Range(0, reader.FieldCount).Select(i => (int?)i).FirstOrDefault(i => reader.GetName(i!.Value) == "sounds_like");
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new PersonRow(
                    system.Id,
                    Convert.ToString(reader["person_id"], CultureInfo.InvariantCulture)!,
                    (string)reader["given"],
                    (string)reader["family"],
                    reader["previous_family"] as string,
                    AsDate(reader["dob"]),
                    reader["postcode"] as string,
                    reader["upn"] as string,
                    reader["identifiers"] is string[] ids ? ids.Where(i => !string.IsNullOrEmpty(i)).ToList() : [],
                    soundsLike is { } s && !reader.IsDBNull(s) ? reader.GetBoolean(s) : null));
            }

            return rows;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidCastException or IndexOutOfRangeException)
        {
            throw new SourceSystemException($"source system {system.Id}: the find-person query failed: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<SourceRecord>> FetchAsync(IReadOnlyList<ConfirmedIdentity> identities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var records = new List<SourceRecord>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var identity in identities.Where(i => i.System == system.Id))
        {
            foreach (var dataset in system.Datasets)
            {
                try
                {
                    await using var command = new NpgsqlCommand(dataset.Query, connection);
                    command.Parameters.Add(new NpgsqlParameter("person_id", NpgsqlDbType.Text) { Value = identity.PersonId });
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        records.Add(Read(reader, dataset));
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidCastException or IndexOutOfRangeException)
                {
                    throw new SourceSystemException($"source system {system.Id}: dataset {dataset.Id} could not be read: {ex.Message}", ex);
                }
            }
        }

        return records;
    }

    /// <summary>
    /// The other people the system knows around a person, from its configured RelatedPeople query (empty when it has
    /// none): family members, others at the same address. For the disclosure suggestions (issue 13 Build 2).
    /// </summary>
    public async Task<IReadOnlyList<KccRights.Disclosure.Suggestions.KnownPerson>> RelatedPeopleAsync(string personId, CancellationToken cancellationToken)
    {
        if (system.RelatedPeople?.Query is not { } sql)
        {
            return [];
        }

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter("person_id", NpgsqlDbType.Text) { Value = personId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var people = new List<KccRights.Disclosure.Suggestions.KnownPerson>();
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader["given"] is string given && reader["family"] is string family && given.Trim().Length > 0 && family.Trim().Length > 0)
                {
                    people.Add(new(system.Id, Format(reader["person_id"]), given.Trim(), family.Trim(), reader["relationship"] as string));
                }
            }

            return people;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidCastException or IndexOutOfRangeException)
        {
            throw new SourceSystemException($"source system {system.Id}: the related-people query failed: {ex.Message}", ex);
        }
    }

    private SourceRecord Read(NpgsqlDataReader reader, DatasetOptions dataset)
    {
        var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        string? attachmentName = null;
        byte[]? attachment = null;
        string? attachmentType = null;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader.GetName(i);
            var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
            switch (name)
            {
                case "attachment_name":
                    attachmentName = value as string;
                    break;
                case "attachment_content":
                    attachment = value as byte[];
                    break;
                case "attachment_type":
                    attachmentType = value as string;
                    break;
                default:
                    if (!Shape.Contains(name))
                    {
                        fields[name] = Format(value);
                    }

                    break;
            }
        }

        var attachments = attachmentName is not null && attachment is not null
            ? new[] { new SourceAttachment(attachmentName, attachmentType ?? MediaTypes.Of(attachmentName), attachment, DocumentText.Extract(attachmentName, attachment)) }
            : [];
        return new SourceRecord(
            system.Id,
            dataset.Id,
            Format(reader["record_id"]) ?? throw new SourceSystemException($"source system {system.Id}: dataset {dataset.Id} returned a record without record_id"),
            AsDate(reader["record_date"]),
            Format(reader["title"]) ?? dataset.Title ?? dataset.Id,
            fields,
            reader["free_text"] as string,
            attachments);
    }

    private static void Text(NpgsqlBatchCommand command, string name, string? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = string.IsNullOrEmpty(value) ? DBNull.Value : value });

    internal static DateOnly? AsDate(object? value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        DateTimeOffset o => DateOnly.FromDateTime(o.UtcDateTime),
        string s when DateOnly.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) => parsed,
        _ => null,
    };

    internal static string? Format(object? value) => value switch
    {
        null or DBNull => null,
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
