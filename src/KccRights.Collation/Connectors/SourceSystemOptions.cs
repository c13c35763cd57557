using System.Text.RegularExpressions;

namespace KccRights.Collation.Connectors;

/// <summary>
/// The source systems the service searches and collates from (issue 11 Build 3): configuration, not code. Each entry
/// names its kind, where it is, how to find a person and how to fetch each dataset into one common shape. Secrets are
/// never here: a PostgreSQL system names a connection string (<c>ConnectionStrings:NAME</c>) and an HTTP system names a
/// token (<c>SourceSystemSecrets:NAME</c>), both supplied by configuration or the environment.
/// </summary>
public sealed partial class SourceSystemsOptions
{
    public const string Section = "SourceSystems";

    public List<SourceSystemOptions> Systems { get; set; } = [];

    /// <summary>The demo youth-justice server (loopback HTTP JSON over the demo schema), for the demo and the tests.</summary>
    public DemoServerOptions DemoServer { get; set; } = new();

    public SourceSystemOptions? Find(string id) => Systems.Find(s => string.Equals(s.Id, id, StringComparison.Ordinal));

    /// <summary>Every problem, one line each (empty when the configuration is usable).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Systems.Count; i++)
        {
            var s = Systems[i];
            var at = $"{Section}:Systems:{i}";
            if (string.IsNullOrWhiteSpace(s.Id) || !IdPattern().IsMatch(s.Id))
            {
                errors.Add($"{at}:Id '{s.Id}' must be lower-case letters, digits and dashes");
                continue;
            }

            at = $"{Section}:Systems:{i} ({s.Id})";
            if (!seen.Add(s.Id))
            {
                errors.Add($"{at}: the id is used twice");
            }

            switch (s.Kind)
            {
                case SourceKinds.Postgres:
                    if (s.FindPerson?.Query is { } q && !q.Contains("@family", StringComparison.Ordinal))
                    {
                        errors.Add($"{at}:FindPerson:Query must use the @family parameter");
                    }

                    if (s.RelatedPeople?.Query is { } related && !related.Contains("@person_id", StringComparison.Ordinal))
                    {
                        errors.Add($"{at}:RelatedPeople:Query must use the @person_id parameter");
                    }

                    foreach (var d in s.Datasets.Where(d => string.IsNullOrWhiteSpace(d.Query) || !d.Query.Contains("@person_id", StringComparison.Ordinal)))
                    {
                        errors.Add($"{at}:Datasets ({d.Id}): Query must select the person's records with the @person_id parameter");
                    }

                    break;
                case SourceKinds.HttpJson:
                    if (!Uri.TryCreate(s.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    {
                        errors.Add($"{at}:BaseUrl '{s.BaseUrl}' is not an http(s) address");
                    }

                    foreach (var d in s.Datasets.Where(d => string.IsNullOrWhiteSpace(d.Path) || !d.Path.Contains("{personId}", StringComparison.Ordinal)))
                    {
                        errors.Add($"{at}:Datasets ({d.Id}): Path must contain {{personId}}");
                    }

                    break;
                case SourceKinds.Folder:
                    if (string.IsNullOrWhiteSpace(s.Folder))
                    {
                        errors.Add($"{at}:Folder is required for a folder system");
                    }

                    if (s.IdentifierPatterns.Count == 0)
                    {
                        errors.Add($"{at}:IdentifierPatterns: a folder is indexed by identifiers; name at least one pattern");
                    }

                    foreach (var p in s.IdentifierPatterns)
                    {
                        try
                        {
                            _ = new Regex(p, RegexOptions.None, TimeSpan.FromSeconds(1));
                        }
                        catch (ArgumentException ex)
                        {
                            errors.Add($"{at}:IdentifierPatterns '{p}' is not a regular expression: {ex.Message}");
                        }
                    }

                    break;
                default:
                    errors.Add($"{at}:Kind '{s.Kind}' must be one of {SourceKinds.Postgres}, {SourceKinds.HttpJson}, {SourceKinds.Folder}");
                    break;
            }

            var datasetIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in s.Datasets)
            {
                if (string.IsNullOrWhiteSpace(d.Id) || !datasetIds.Add(d.Id))
                {
                    errors.Add($"{at}:Datasets: dataset id '{d.Id}' is empty or used twice");
                }
            }
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex IdPattern();
}

/// <summary>The kinds of connector.</summary>
public static class SourceKinds
{
    public const string Postgres = "postgres";
    public const string HttpJson = "http-json";
    public const string Folder = "folder";
}

/// <summary>One source system.</summary>
public sealed class SourceSystemOptions
{
    /// <summary>The system id (the register of processing uses the same), e.g. <c>education</c>.</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary><c>postgres</c>, <c>http-json</c> or <c>folder</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The team that searches by hand when the connector fails (a manual search task).</summary>
    public string? RecordOwnerTeam { get; set; }

    /// <summary>postgres: the name of a connection string in <c>ConnectionStrings</c>; empty: the service's own database.</summary>
    public string? ConnectionStringName { get; set; }

    /// <summary>http-json: the base address.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>http-json: the name of the bearer token in <c>SourceSystemSecrets</c> (or the demo secrets folder).</summary>
    public string? TokenName { get; set; }

    /// <summary>http-json: records per page asked for.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>folder: the folder, absolute or relative to the data directory.</summary>
    public string? Folder { get; set; }

    /// <summary>folder: the identifier patterns a file is indexed by (in its name and its text).</summary>
    public List<string> IdentifierPatterns { get; set; } = [];

    /// <summary>How to find a person; absent for a system searched only by identifiers (a folder).</summary>
    public FindPersonOptions? FindPerson { get; set; }

    public List<DatasetOptions> Datasets { get; set; } = [];

    /// <summary>
    /// postgres, optional: the other people the system knows around a person (family members, others at the same address),
    /// for the disclosure suggestions (issue 13 Build 2). A query with <c>@person_id</c> returning <c>person_id</c> (text,
    /// may be null), <c>given</c>, <c>family</c> and <c>relationship</c> (may be null), never the person themself.
    /// </summary>
    public RelatedPeopleOptions? RelatedPeople { get; set; }
}

/// <summary>How a system lists the people related to a person (see <see cref="SourceSystemOptions.RelatedPeople"/>).</summary>
public sealed class RelatedPeopleOptions
{
    public string? Query { get; set; }
}

/// <summary>
/// postgres: a parameterised query (<c>@given</c>, <c>@given_alt</c>, <c>@family</c>, <c>@previous_family</c>,
/// <c>@dob</c>, <c>@postcode</c>, <c>@upn</c>) returning <c>person_id, given, family, previous_family, dob, postcode,
/// upn, identifiers</c> (text[]) and optionally <c>sounds_like</c> (boolean). http-json: a path, asked with the same
/// names as query parameters, answering <c>{ "items": [...] }</c> with the fields named in <see cref="Fields"/>.
/// </summary>
public sealed class FindPersonOptions
{
    public string? Query { get; set; }

    /// <summary>postgres: pg_trgm's similarity threshold for the <c>%</c> operator in the query (pg_trgm's default is 0.3).</summary>
    public double SimilarityThreshold { get; set; } = 0.45;

    public string? Path { get; set; }

    /// <summary>http-json: the JSON field for each of person_id, given, family, previous_family, dob, postcode, upn, identifiers.</summary>
    public Dictionary<string, string> Fields { get; set; } = [];

    /// <summary>http-json: the date format of dob (e.g. <c>yyyyMMdd</c>).</summary>
    public string DateFormat { get; set; } = "yyyy-MM-dd";
}

/// <summary>
/// One dataset. postgres: a query with <c>@person_id</c> returning <c>record_id, record_date, title, free_text</c>,
/// optionally <c>attachment_name</c> and <c>attachment_content</c> (bytea), every other column becoming a field.
/// http-json: a path with <c>{personId}</c>, paged, answering <c>{ "items": [...], "hasMore": bool }</c>, mapped by
/// the field names below; every other JSON field becomes a field.
/// </summary>
public sealed class DatasetOptions
{
    public string Id { get; set; } = "";

    public string? Query { get; set; }

    public string? Path { get; set; }

    public string IdField { get; set; } = "id";

    public string? DateField { get; set; }

    public string DateFormat { get; set; } = "yyyy-MM-dd";

    public string? TitleField { get; set; }

    /// <summary>A fixed title when the record has none (e.g. "Offence").</summary>
    public string? Title { get; set; }

    public string? TextField { get; set; }
}

/// <summary>The demo youth-justice server.</summary>
public sealed class DemoServerOptions
{
    /// <summary>Serve the demo youth-justice API in this process (the demo and the tests; never production).</summary>
    public bool Enabled { get; set; }

    /// <summary>Loopback port (0: any free port).</summary>
    public int Port { get; set; } = 5291;

    /// <summary>The token name it expects (in <c>SourceSystemSecrets</c> or the demo secrets folder).</summary>
    public string TokenName { get; set; } = "YouthJusticeToken";
}
