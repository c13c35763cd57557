using Dapper;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Cases;

/// <summary>A search: the text typed and the filters; null means "any". Open and closed cases alike unless <see cref="Status"/> says.</summary>
public sealed record CaseSearchQuery
{
    public string? Text { get; init; }
    public string? Right { get; init; }
    public string? Stage { get; init; }
    public string? Officer { get; init; }

    /// <summary><c>open</c>, <c>closed</c> or null for both.</summary>
    public string? Status { get; init; }

    public DateOnly? ReceivedFrom { get; init; }
    public DateOnly? ReceivedTo { get; init; }
    public DateOnly? DueFrom { get; init; }
    public DateOnly? DueTo { get; init; }
    public int Limit { get; init; } = 50;
    public int Offset { get; init; }
}

/// <summary>A page of results: the cases (names opened), how many matched in all, and whether there were more candidates than are checked.</summary>
public sealed record CaseSearchResult(IReadOnlyList<CaseSummary> Cases, int Total, bool Capped, SearchInput Input);

/// <summary>
/// The case search (issue 14 item 2; ADR 0007): by reference, requester's or subject's name (fuzzy), email address and
/// date of birth, over open and closed cases, with filters for right, stage, officer and the received and due ranges.
/// Names, emails and dates of birth are looked up in the blind index (<see cref="CaseSearchIndex"/>) and the candidates,
/// their sealed names and the filters come back in one query; their names are then opened here and each searched word
/// must be close to one of them (<see cref="SearchText.Closeness"/>), closest first.
/// </summary>
public sealed class CaseSearch(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, CaseSearchIndex index)
{
    /// <summary>The most candidates checked for one search (the best by their tokens): a search as wide as one common surname stays under it.</summary>
    public const int CandidateLimit = 500;

    /// <summary>Weight of a whole-word, phonetic, email or date-of-birth token: one alone satisfies its part of the search.</summary>
    private const int Strong = 1000;

    private const string SummaryColumns =
        $"""
        c.id, c.reference, c.right_code, c.status, c.channel, c.assigned_to, c.created_at, {CaseDeadlineSql.DatesColumns},
        p.sealed_parties, p.relationship,
        w.state AS workflow_state, w.definition_id AS workflow_id, w.definition_version AS workflow_version, w.status AS workflow_status
        """;

    private const string Joins =
        """
        JOIN cases c ON c.id = k.case_id
        LEFT JOIN case_requests p ON p.case_id = c.id
        LEFT JOIN LATERAL (SELECT state, definition_id, definition_version, status FROM workflow_instances i WHERE i.case_id = c.id ORDER BY i.id DESC LIMIT 1) w ON true
        """;

    private const string Filters =
        """
        (@right::text IS NULL OR c.right_code = @right)
          AND (@officer::text IS NULL OR c.assigned_to = @officer)
          AND (@status::text IS NULL OR c.status = @status)
          AND (@stage::text IS NULL OR w.state = @stage)
          AND (@receivedFrom::date IS NULL OR k.received_on >= @receivedFrom)
          AND (@receivedTo::date IS NULL OR k.received_on <= @receivedTo)
          AND (@dueFrom::date IS NULL OR k.effective_due_on >= @dueFrom)
          AND (@dueTo::date IS NULL OR k.effective_due_on <= @dueTo)
          AND (@reference::text IS NULL OR c.reference LIKE @reference)
        """;

    public async Task<CaseSearchResult> SearchAsync(CaseSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var input = SearchInput.Parse(query.Text);
        var limit = Math.Clamp(query.Limit, 1, 500);
        var offset = Math.Max(0, query.Offset);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!input.UsesIndex)
        {
            // A reference or the filters alone: newest received first, counted in the same query.
            var rows = (await connection.QueryAsync<CaseSummary, long, (CaseSummary Summary, long Total)>(new CommandDefinition(
                $"""
                SELECT {SummaryColumns}, count(*) OVER () AS total
                FROM case_clocks k {Joins}
                WHERE {Filters}
                ORDER BY k.received_on DESC, c.id DESC LIMIT @limit OFFSET @offset
                """,
                Parameters(query, input, new { limit, offset }),
                cancellationToken: cancellationToken),
                (summary, total) => (summary, total),
                splitOn: "total")).AsList();
            return new CaseSearchResult(rows.Select(r => Open(r.Summary).Summary).ToList(), rows.Count == 0 ? 0 : (int)rows[0].Total, false, input);
        }

        var candidates = (await connection.QueryAsync<CaseSummary, CandidateExtra, (CaseSummary Summary, CandidateExtra Extra)>(new CommandDefinition(
            CandidateSql(Lookup(input).Thresholds.Length, query, input.ReferencePattern),
            CandidateParameters(query, input),
            cancellationToken: cancellationToken),
            (summary, extra) => (summary, extra),
            splitOn: "score")).AsList();

        var matches = new List<(CaseSummary Summary, int Distance, long Score)>();
        foreach (var (row, extra) in candidates)
        {
            var (summary, parties) = Open(row);

            // The details (date of birth, previous names) are opened only when the parties alone do not decide.
            var distance = input.BirthDates.Count == 0 ? Check(input, parties, null) : null;
            if (distance is null && extra.SealedDetails is not null)
            {
                distance = Check(input, parties, CaseRequestDetails.Open(cipher, summary.Id, extra.SealedDetails));
            }

            if (distance is { } found)
            {
                matches.Add((summary, found, extra.Score));
            }
        }

        var ordered = matches
            .OrderBy(m => m.Distance)
            .ThenByDescending(m => m.Score)
            .ThenByDescending(m => m.Summary.ReceivedOn)
            .ThenByDescending(m => m.Summary.Id)
            .Select(m => m.Summary)
            .ToList();
        return new CaseSearchResult(ordered.Skip(offset).Take(limit).ToList(), ordered.Count, candidates.Count >= CandidateLimit, input);
    }

    /// <summary>
    /// The candidates of a search that uses the index, in one statement: each token's cases read from the primary key
    /// alone, counted per case in one pass with a sum per part of the search (a part is satisfied by a strong token or by
    /// enough trigrams); the filters, joining only the tables a filter needs; the best <see cref="CandidateLimit"/> by
    /// score; and only for those the case, its clock, its sealed parties and details and its workflow's stage.
    /// </summary>
    internal static string CandidateSql(int partCount, CaseSearchQuery query, string? referencePattern)
    {
        var sums = string.Join(", ", Enumerable.Range(0, partCount).Select(p => Invariant($"sum(q.weight) FILTER (WHERE q.part = {p}) AS p{p}")));
        var having = string.Join(" AND ", Enumerable.Range(0, partCount).Select(p => Invariant($"sum(q.weight) FILTER (WHERE q.part = {p}) >= (@thresholds::int[])[{p + 1}]")));
        var needsCase = query.Right is not null || query.Officer is not null || query.Status is not null || query.Stage is not null || referencePattern is not null;
        var needsClock = query.ReceivedFrom is not null || query.ReceivedTo is not null || query.DueFrom is not null || query.DueTo is not null;
        var filters = new List<string>();
        if (query.Right is not null)
        {
            filters.Add("c.right_code = @right");
        }

        if (query.Officer is not null)
        {
            filters.Add("c.assigned_to = @officer");
        }

        if (query.Status is not null)
        {
            filters.Add("c.status = @status");
        }

        if (referencePattern is not null)
        {
            filters.Add("c.reference LIKE @reference");
        }

        if (query.Stage is not null)
        {
            filters.Add("(SELECT i.state FROM workflow_instances i WHERE i.case_id = c.id ORDER BY i.id DESC LIMIT 1) = @stage");
        }

        filters.AddRange(new[]
        {
            query.ReceivedFrom is null ? null : "k.received_on >= @receivedFrom",
            query.ReceivedTo is null ? null : "k.received_on <= @receivedTo",
            query.DueFrom is null ? null : "k.effective_due_on >= @dueFrom",
            query.DueTo is null ? null : "k.effective_due_on <= @dueTo",
        }.OfType<string>());
        return $"""
            WITH q AS (SELECT * FROM unnest(@tokens::bigint[], @parts::int[], @weights::int[]) AS q (token, part, weight)),
            hits AS (
                SELECT t.case_id, sum(q.weight) AS score
                FROM q JOIN case_search_tokens t ON t.token = q.token
                GROUP BY t.case_id
                HAVING {having}
            ),
            picked AS (
                SELECT h.case_id, h.score
                FROM hits h
                {(needsCase ? "JOIN cases c ON c.id = h.case_id" : "")}
                {(needsClock ? "JOIN case_clocks k ON k.case_id = h.case_id" : "")}
                {(filters.Count > 0 ? "WHERE " + string.Join(" AND ", filters) : "")}
                ORDER BY h.score DESC, h.case_id DESC LIMIT @candidateLimit
            )
            SELECT {SummaryColumns}, h.score, p.sealed_details
            FROM picked h JOIN case_clocks k ON k.case_id = h.case_id {Joins}
            """;
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The plan of a search's candidate query, run (EXPLAIN ANALYZE): the web benchmark prints it.</summary>
    public async Task<string> ExplainAsync(CaseSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var input = SearchInput.Parse(query.Text);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var lines = await connection.QueryAsync<string>(new CommandDefinition(
            "EXPLAIN (ANALYZE, BUFFERS) " + CandidateSql(Lookup(input).Thresholds.Length, query, input.ReferencePattern), CandidateParameters(query, input), cancellationToken: cancellationToken));
        return string.Join('\n', lines);
    }

    private DynamicParameters CandidateParameters(CaseSearchQuery query, SearchInput input)
    {
        var (tokens, parts, weights, thresholds) = Lookup(input);
        return Parameters(query, input, new { tokens, parts, weights, thresholds, partCount = thresholds.Length, candidateLimit = CandidateLimit });
    }

    /// <summary>
    /// The tokens to look up, each with the part of the search it belongs to and its weight, and each part's threshold:
    /// a name word is found by its whole word or its phonetic code (either alone is enough) or by half its trigrams (at
    /// least two); an email address or a date of birth by its one token.
    /// </summary>
    internal (long[] Tokens, int[] Parts, int[] Weights, int[] Thresholds) Lookup(SearchInput input)
    {
        var tokens = new List<long>();
        var parts = new List<int>();
        var weights = new List<int>();
        var thresholds = new List<int>();
        foreach (var word in input.IndexedNameWords)
        {
            var part = thresholds.Count;
            Add(index.Token(CaseSearchIndex.Kinds.Word, word), part, Strong);
            Add(index.Token(CaseSearchIndex.Kinds.Phonetic, SearchText.Phonetic(word)), part, Strong);
            var trigrams = SearchText.Trigrams(word).Distinct(StringComparer.Ordinal).ToList();
            foreach (var trigram in trigrams)
            {
                Add(index.Token(CaseSearchIndex.Kinds.Trigram, trigram), part, 1);
            }

            thresholds.Add(Math.Max(2, (trigrams.Count + 1) / 2));
        }

        foreach (var email in input.Emails)
        {
            Add(index.Token(CaseSearchIndex.Kinds.Email, email), thresholds.Count, Strong);
            thresholds.Add(Strong);
        }

        foreach (var date in input.BirthDates)
        {
            Add(index.BirthDateToken(date), thresholds.Count, Strong);
            thresholds.Add(Strong);
        }

        return ([.. tokens], [.. parts], [.. weights], [.. thresholds]);

        void Add(long token, int part, int weight)
        {
            tokens.Add(token);
            parts.Add(part);
            weights.Add(weight);
        }
    }

    /// <summary>
    /// A candidate, its names opened: every searched word close to a word of one and the same name (the requester's,
    /// the subject's or a previous name: "Jane Smith" does not find Jane Jones asked for by Mr Smith), the sum of the
    /// distances of the closest name (0 for an exact match); its email address and date of birth the ones searched;
    /// null when it is not a match after all.
    /// </summary>
    internal static int? Check(SearchInput input, CaseRequestParties parties, CaseRequestDetails? details)
    {
        if (input.Emails.Any(e => e != SearchText.Email(parties.RequesterEmail)) || input.BirthDates.Any(d => d != details?.SubjectDob))
        {
            return null;
        }

        if (input.IndexedNameWords.Count == 0)
        {
            return 0;
        }

        int? best = null;
        foreach (var name in CaseSearchIndex.NamesOf(parties, details))
        {
            var words = SearchText.NameWords(name);
            var total = 0;
            foreach (var searched in input.NameWords)
            {
                var closest = words.Select(w => SearchText.Closeness(searched, w)).Where(d => d is not null).Min();
                if (closest is null)
                {
                    total = -1;
                    break;
                }

                total += closest.Value;
            }

            if (total >= 0 && (best is null || total < best))
            {
                best = total;
            }
        }

        return best;
    }

    private static DynamicParameters Parameters(CaseSearchQuery query, SearchInput input, object extra)
    {
        var parameters = new DynamicParameters(new
        {
            right = query.Right,
            officer = query.Officer,
            status = query.Status,
            stage = query.Stage,
            receivedFrom = query.ReceivedFrom,
            receivedTo = query.ReceivedTo,
            dueFrom = query.DueFrom,
            dueTo = query.DueTo,
            reference = input.ReferencePattern,
        });
        parameters.AddDynamicParams(extra);
        return parameters;
    }

    private (CaseSummary Summary, CaseRequestParties Parties) Open(CaseSummary summary)
    {
        var parties = CaseRequestParties.Open(cipher, summary.Id, summary.SealedParties);
        return (summary with
        {
            RequesterName = parties.RequesterName,
            RequesterEmail = parties.RequesterEmail,
            SubjectName = parties.SubjectName,
            SealedParties = null,
        }, parties);
    }

    private sealed record CandidateExtra
    {
        public long Score { get; init; }
        public byte[]? SealedDetails { get; init; }
    }
}
