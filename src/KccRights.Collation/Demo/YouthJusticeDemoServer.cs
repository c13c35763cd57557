using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Collation.Demo;

/// <summary>
/// The demo youth-justice system's API: loopback HTTP JSON over the src_youth_justice schema, paged, behind a bearer
/// token (as a case-management vendor's API would be). For the demo and the tests only; it binds to 127.0.0.1.
/// </summary>
public sealed class YouthJusticeDemoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    private YouthJusticeDemoServer(WebApplication app, NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        _app = app;
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
    }

    /// <summary>The base address, e.g. http://127.0.0.1:5291.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Every request's path and query, in order (the tests check paging).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static Task<YouthJusticeDemoServer> StartAsync(string connectionString, string token, int port = 0, CancellationToken cancellationToken = default) =>
        StartAsync(NpgsqlDataSource.Create(connectionString), ownsDataSource: true, token, port, cancellationToken);

    /// <summary>Serves from the given data source (not disposed with the server).</summary>
    public static Task<YouthJusticeDemoServer> StartAsync(NpgsqlDataSource dataSource, string token, int port = 0, CancellationToken cancellationToken = default) =>
        StartAsync(dataSource, ownsDataSource: false, token, port, cancellationToken);

    private static async Task<YouthJusticeDemoServer> StartAsync(NpgsqlDataSource dataSource, bool ownsDataSource, string token, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new YouthJusticeDemoServer(app, dataSource, ownsDataSource);
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));

        app.Use(async (context, next) =>
        {
            server.Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { error = "invalid_token", message = "A valid bearer token is required." });
                return;
            }

            await next(context);
        });

        app.MapGet("/api/v1/young-people/search", async (HttpRequest request) =>
        {
            var q = request.Query;
            var dob = q["dob"].ToString() is { Length: 8 } d ? d : null;
            var (page, size) = Paging(request);
            var rows = await server.QueryAsync(
                """
                SELECT yp_id, first_name, last_name, dob_yyyymmdd, postcode, upn
                FROM src_youth_justice.young_people, set_config('pg_trgm.similarity_threshold', '0.45', true) AS threshold
                WHERE ((last_name % @family OR last_name % @previous)
                       AND (first_name % @given OR first_name % @given_alt OR dob_yyyymmdd = @dob))
                   OR (dob_yyyymmdd = @dob AND (first_name % @given OR first_name % @given_alt))
                   OR upn = @upn
                ORDER BY yp_id
                LIMIT @limit OFFSET @offset
                """,
                new
                {
                    family = q["family"].ToString(),
                    previous = NullIfEmpty(q["previousFamily"]),
                    given = q["given"].ToString(),
                    given_alt = NullIfEmpty(q["givenAlt"]),
                    dob,
                    upn = NullIfEmpty(q["upn"]),
                    limit = size + 1,
                    offset = (page - 1) * size,
                });
            return Page(rows.Select(r => (object)new
            {
                ypId = (string)r.yp_id,
                firstName = (string)r.first_name,
                lastName = (string)r.last_name,
                dateOfBirth = ((string)r.dob_yyyymmdd).Trim(),
                postcode = (string?)r.postcode,
                upn = (string?)r.upn,
                references = new[] { (string)r.yp_id }.Concat(r.upn is string u ? [u] : Array.Empty<string>()).ToArray(),
            }).ToList(), page, size);
        });

        app.MapGet("/api/v1/young-people/{id}/profile", async (string id, HttpRequest request) =>
        {
            var (page, size) = Paging(request);
            var rows = await server.QueryAsync(
                "SELECT yp_id, first_name, last_name, dob_yyyymmdd, gender, postcode, upn FROM src_youth_justice.young_people WHERE yp_id = @id LIMIT @limit OFFSET @offset",
                new { id, limit = size + 1, offset = (page - 1) * size });
            return Page(rows.Select(r => (object)new
            {
                ypId = (string)r.yp_id, firstName = (string)r.first_name, lastName = (string)r.last_name,
                dateOfBirth = ((string)r.dob_yyyymmdd).Trim(), gender = (string)r.gender, postcode = (string?)r.postcode, upn = (string?)r.upn,
            }).ToList(), page, size);
        });

        app.MapGet("/api/v1/young-people/{id}/offences", async (string id, HttpRequest request) =>
        {
            var (page, size) = Paging(request);
            var rows = await server.QueryAsync(
                "SELECT offence_id, offence_date, offence_type, outcome, description FROM src_youth_justice.offences WHERE yp_id = @id ORDER BY offence_id LIMIT @limit OFFSET @offset",
                new { id, limit = size + 1, offset = (page - 1) * size });
            return Page(rows.Select(r => (object)new
            {
                offenceId = (string)r.offence_id, offenceDate = Iso(r.offence_date),
                offenceType = (string)r.offence_type, outcome = (string?)r.outcome, description = (string?)r.description,
            }).ToList(), page, size);
        });

        app.MapGet("/api/v1/young-people/{id}/interventions", async (string id, HttpRequest request) =>
        {
            var (page, size) = Paging(request);
            var rows = await server.QueryAsync(
                "SELECT intervention_id, started, ended, programme, worker, summary FROM src_youth_justice.interventions WHERE yp_id = @id ORDER BY intervention_id LIMIT @limit OFFSET @offset",
                new { id, limit = size + 1, offset = (page - 1) * size });
            return Page(rows.Select(r => (object)new
            {
                interventionId = (string)r.intervention_id, started = Iso(r.started),
                ended = Iso(r.ended),
                programme = (string)r.programme, worker = (string?)r.worker, summary = (string?)r.summary,
            }).ToList(), page, size);
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    private static string? Iso(object? value) => Connectors.PostgresConnector.Format(value is DateTime t ? DateOnly.FromDateTime(t) : value);

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } s ? s : null;

    private static (int Page, int Size) Paging(HttpRequest request)
    {
        var page = int.TryParse(request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1;
        var size = int.TryParse(request.Query["pageSize"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 200 ? s : 50;
        return (page, size);
    }

    private static IResult Page(List<object> rows, int page, int size) =>
        Results.Json(new { items = rows.Take(size), page, pageSize = size, hasMore = rows.Count > size });

    private async Task<IEnumerable<dynamic>> QueryAsync(string sql, object parameters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync(sql, parameters)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
