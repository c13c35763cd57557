using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace KccRights.Collation.Connectors;

/// <summary>
/// A source system with an HTTP JSON API: bearer token from configuration, pages followed until <c>hasMore</c> is false.
/// The token is sent, never logged; a refused token is reported as such, naming the setting to fix.
/// </summary>
public sealed class HttpJsonConnector(SourceSystemOptions system, HttpClient http, SourceSecrets secrets) : ISourceConnector
{
    private const int MaxPages = 1000;

    public SourceSystemOptions System => system;

    public async Task<IReadOnlyList<PersonRow>> FindPersonAsync(PersonQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (system.FindPerson?.Path is not { } path)
        {
            return [];
        }

        var find = system.FindPerson;
        string Field(string name) => find.Fields.TryGetValue(name, out var f) ? f : name;
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["given"] = query.Given.Trim(),
            ["givenAlt"] = Matching.Nicknames.Alternative(query.Given),
            ["family"] = query.Family.Trim(),
            ["previousFamily"] = query.PreviousFamily,
            ["dob"] = query.DateOfBirth?.ToString(find.DateFormat, CultureInfo.InvariantCulture),
            ["postcode"] = query.Postcode,
            ["upn"] = Upns.Normalise(query.Upn),
        };
        var rows = new List<PersonRow>();
        await foreach (var item in PagesAsync(path, parameters, cancellationToken))
        {
            var dobText = Str(item, Field("dob"));
            rows.Add(new PersonRow(
                system.Id,
                Str(item, Field("person_id")) ?? throw new SourceSystemException($"source system {system.Id}: a find-person result has no {Field("person_id")}"),
                Str(item, Field("given")) ?? "",
                Str(item, Field("family")) ?? "",
                Str(item, Field("previous_family")),
                dobText is not null && DateOnly.TryParseExact(dobText, find.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dob) ? dob : null,
                Str(item, Field("postcode")),
                Str(item, Field("upn")),
                item.TryGetProperty(Field("identifiers"), out var ids) && ids.ValueKind == JsonValueKind.Array
                    ? ids.EnumerateArray().Select(i => i.GetString()).OfType<string>().ToList()
                    : [],
                null));
        }

        return rows;
    }

    public async Task<IReadOnlyList<SourceRecord>> FetchAsync(IReadOnlyList<ConfirmedIdentity> identities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        var records = new List<SourceRecord>();
        foreach (var identity in identities.Where(i => i.System == system.Id))
        {
            foreach (var dataset in system.Datasets)
            {
                var path = dataset.Path!.Replace("{personId}", Uri.EscapeDataString(identity.PersonId), StringComparison.Ordinal);
                await foreach (var item in PagesAsync(path, new Dictionary<string, string?>(), cancellationToken))
                {
                    records.Add(Read(item, dataset));
                }
            }
        }

        return records;
    }

    private SourceRecord Read(JsonElement item, DatasetOptions dataset)
    {
        var fields = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name != dataset.IdField && property.Name != dataset.TitleField && property.Name != dataset.TextField)
            {
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => property.Value.GetString(),
                    _ => property.Value.GetRawText(),
                };
            }
        }

        var dateText = dataset.DateField is { } df ? Str(item, df) : null;
        return new SourceRecord(
            system.Id,
            dataset.Id,
            Str(item, dataset.IdField) ?? throw new SourceSystemException($"source system {system.Id}: dataset {dataset.Id} returned an item without {dataset.IdField}"),
            dateText is not null && DateOnly.TryParseExact(dateText, dataset.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null,
            (dataset.TitleField is { } tf ? Str(item, tf) : null) ?? dataset.Title ?? dataset.Id,
            fields,
            dataset.TextField is { } xf ? Str(item, xf) : null,
            []);
    }

    private async IAsyncEnumerable<JsonElement> PagesAsync(string path, Dictionary<string, string?> parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var token = secrets.Require(system.TokenName ?? throw new SourceSystemException($"source system {system.Id}: TokenName is not configured"), system.Id);
        for (var page = 1; page <= MaxPages; page++)
        {
            var query = string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}")
                .Append(string.Create(CultureInfo.InvariantCulture, $"page={page}&pageSize={system.PageSize}")));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(system.BaseUrl!), $"{path}?{query}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new SourceSystemException($"source system {system.Id}: {system.BaseUrl} could not be reached: {ex.Message}", ex);
            }

            using (response)
            {
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new SourceSystemException(
                        $"source system {system.Id}: the bearer token was refused ({(int)response.StatusCode}); check {SourceSecrets.Section}:{system.TokenName}");
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new SourceSystemException($"source system {system.Id}: {path} answered {(int)response.StatusCode} {response.ReasonPhrase}");
                }

                using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                if (!json.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
                {
                    throw new SourceSystemException($"source system {system.Id}: {path} answered without an items array");
                }

                foreach (var item in items.EnumerateArray())
                {
                    yield return item.Clone();
                }

                if (!json.RootElement.TryGetProperty("hasMore", out var more) || more.ValueKind != JsonValueKind.True)
                {
                    yield break;
                }
            }
        }
    }

    private static string? Str(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        } : null;
}
