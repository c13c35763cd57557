using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Cases;

/// <summary>
/// The blind index behind the case search (issue 14 item 2, ADR 0007). The requester's and subject's names, the email
/// address and the date of birth are sealed (migrations 0082, 0083), so nothing can search them in SQL; instead each
/// case gets keyed hashes in <c>case_search_tokens</c>: HMAC-SHA256, under a key derived from the data key, of each
/// normalised name word, its trigrams and its phonetic code, of the normalised email address and of the date of birth
/// (the first 8 bytes, as a bigint). A search hashes its input the same way. The database never sees a name, and
/// without the key a hash cannot be tested against a guess; what it does show is which cases share a word.
/// </summary>
public sealed class CaseSearchIndex
{
    /// <summary>The HKDF info the index key is derived with; a new version of the normalisation would change it.</summary>
    public const string Purpose = "kccrights case search index v1";

    private const int Batch = 500;
    private readonly byte[] _key;

    public CaseSearchIndex(IPersonalDataCipher cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        _key = cipher.DeriveKey(Purpose);
        KeyId = SealedData.KeyIdOf(_key);
    }

    /// <summary>The id of the index key (a hash prefix, never the key), stored in case_requests.search_key_id.</summary>
    public string KeyId { get; }

    /// <summary>What a token stands for; part of what is hashed, so a word and a trigram never share a token.</summary>
    public static class Kinds
    {
        public const string Word = "w";
        public const string Phonetic = "p";
        public const string Trigram = "t";
        public const string Email = "e";
        public const string BirthDate = "d";
    }

    /// <summary>The keyed hash of one normalised value of one kind.</summary>
    public long Token(string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(kind + ":" + value), mac);
        return BinaryPrimitives.ReadInt64BigEndian(mac);
    }

    /// <summary>The tokens of one name word: the word, its phonetic code and its trigrams.</summary>
    public IEnumerable<long> WordTokens(string word)
    {
        yield return Token(Kinds.Word, word);
        yield return Token(Kinds.Phonetic, SearchText.Phonetic(word));
        foreach (var trigram in SearchText.Trigrams(word))
        {
            yield return Token(Kinds.Trigram, trigram);
        }
    }

    public long BirthDateToken(DateOnly date) => Token(Kinds.BirthDate, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>Every token of a case: the requester's, the subject's and previous names, the email address, the date of birth.</summary>
    public long[] TokensFor(CaseRequestParties? parties, CaseRequestDetails? details)
    {
        var tokens = new HashSet<long>();
        foreach (var word in NamesOf(parties, details).SelectMany(SearchText.NameWords).Where(SearchText.Indexable))
        {
            tokens.UnionWith(WordTokens(word));
        }

        if (SearchText.Email(parties?.RequesterEmail) is { } email)
        {
            tokens.Add(Token(Kinds.Email, email));
        }

        if (details?.SubjectDob is { } dob)
        {
            tokens.Add(BirthDateToken(dob));
        }

        return [.. tokens];
    }

    /// <summary>The names a case is found by: the requester, the data subject and the subject's previous names.</summary>
    public static IEnumerable<string?> NamesOf(CaseRequestParties? parties, CaseRequestDetails? details) =>
        new[] { parties?.RequesterName, parties?.SubjectName }.Concat(details?.PreviousNames ?? []);

    /// <summary>
    /// Replaces a case's tokens, inside the caller's transaction (the one that writes its parties): the opener calls it
    /// when a case is opened; whatever changes a case's parties or details later calls it again.
    /// </summary>
    public async Task WriteAsync(NpgsqlTransaction transaction, long caseId, CaseRequestParties? parties, CaseRequestDetails? details, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM case_search_tokens WHERE case_id = @caseId;
            INSERT INTO case_search_tokens (token, case_id) SELECT unnest(@tokens), @caseId;
            UPDATE case_requests SET search_key_id = @keyId WHERE case_id = @caseId;
            """,
            new { caseId, tokens = TokensFor(parties, details), keyId = KeyId },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Indexes every case_requests row whose tokens were not made with the current key: rows from before migration 0103
    /// and, after a key rotation, all of them. Run at every start (it finds nothing once done) and by
    /// <c>kccrights keys rotate</c>; each batch in a short transaction, so an interruption loses nothing. Returns how many.
    /// A row this service cannot open (sealed with a key that is not configured) is left as it is and its case id added
    /// to <paramref name="unreadable"/>: one unreadable case must not stop the service, and its intake, from starting.
    /// It stays unindexed (so unsearchable) and is tried again at the next start; the caller logs the ids.
    /// </summary>
    public async Task<int> IndexStaleRowsAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, ICollection<long>? unreadable = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(cipher);
        var count = 0;
        var skipped = new List<long>();
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<SealedRow>(new CommandDefinition(
                """
                SELECT case_id, sealed_parties, sealed_details FROM case_requests
                WHERE search_key_id IS DISTINCT FROM @keyId AND case_id <> ALL(@skipped)
                ORDER BY case_id LIMIT @Batch FOR UPDATE SKIP LOCKED
                """,
                new { keyId = KeyId, Batch, skipped = skipped.ToArray() },
                transaction,
                cancellationToken: cancellationToken))).AsList();
            if (rows.Count == 0)
            {
                return count;
            }

            var tokenColumn = new List<long>();
            var caseColumn = new List<long>();
            var indexedIds = new List<long>();
            foreach (var row in rows)
            {
                CaseRequestParties? parties;
                CaseRequestDetails? details;
                try
                {
                    parties = row.SealedParties is null ? null : CaseRequestParties.Open(cipher, row.CaseId, row.SealedParties);
                    details = row.SealedDetails is null ? null : CaseRequestDetails.Open(cipher, row.CaseId, row.SealedDetails);
                }
                catch (CryptographicException)
                {
                    skipped.Add(row.CaseId);
                    unreadable?.Add(row.CaseId);
                    continue;
                }

                indexedIds.Add(row.CaseId);
                foreach (var token in TokensFor(parties, details))
                {
                    tokenColumn.Add(token);
                    caseColumn.Add(row.CaseId);
                }
            }

            await connection.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM case_search_tokens WHERE case_id = ANY(@ids);
                INSERT INTO case_search_tokens (token, case_id) SELECT * FROM unnest(@tokens, @cases);
                UPDATE case_requests SET search_key_id = @keyId WHERE case_id = ANY(@ids);
                """,
                new { ids = indexedIds.ToArray(), tokens = tokenColumn.ToArray(), cases = caseColumn.ToArray(), keyId = KeyId },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            count += indexedIds.Count;
        }
    }

    private sealed record SealedRow
    {
        public long CaseId { get; init; }
        public byte[]? SealedParties { get; init; }
        public byte[]? SealedDetails { get; init; }
    }
}
