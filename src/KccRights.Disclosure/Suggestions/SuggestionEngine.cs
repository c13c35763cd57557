using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using KccRights.Disclosure.Items;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Disclosure.Suggestions;

/// <summary>
/// The suggestion engine (issue 13 Build 2): for each item of a case, other people's names and identifiers to redact
/// (DPA 2018 Sch 2 para 16, code TP), professionals acting in their role to disclose (Sch 2 para 17 reasoning), and
/// prompts to consider the serious-harm tests (Sch 3 Parts 2 to 4) and the records restricted by other law (Sch 4).
/// The subject's and the requester's own data are never suggested (they are what the request is for, UK GDPR Art 15).
/// Reads the items (Collation), the case's request (Cases) and the people the source systems know (Collation).
/// </summary>
public sealed class SuggestionEngine(IReviewItemSource items, IKnownPeopleSource people, NpgsqlDataSource dataSource, IPersonalDataCipher cipher) : ISuggestionSource
{
    public async Task<IReadOnlyList<Suggestion>> SuggestAsync(long caseId, CancellationToken cancellationToken)
    {
        var caseItems = await items.ItemsAsync(caseId, cancellationToken);
        var profile = await SubjectProfile.ReadAsync(dataSource, cipher, caseId, cancellationToken);
        var others = await people.OthersAsync(caseId, cancellationToken);
        return Suggest(caseItems, profile, others);
    }

    /// <summary>The suggestions for a case's items, given the subject's own data and the other people the systems know.</summary>
    public static IReadOnlyList<Suggestion> Suggest(IReadOnlyList<ReviewItem> items, SubjectProfile profile, IReadOnlyList<KnownPerson> others)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(others);
        var reviewed = items.Where(i => i.ExcludedReason is null).ToList();
        foreach (var item in reviewed)
        {
            LearnSubject(item, profile);
        }

        var known = others
            .Where(o => !string.IsNullOrWhiteSpace(o.Given) && !string.IsNullOrWhiteSpace(o.Family))
            .Where(o => !profile.IsSubjectName(SubjectProfile.Words($"{o.Given} {o.Family}")))
            .Select(o => (Person: o, Pattern: KnownPattern(o)))
            .ToList();
        var professionals = Professionals(reviewed);
        var result = new List<Suggestion>();
        foreach (var item in reviewed)
        {
            foreach (var (key, value) in item.Fields)
            {
                var kind = FieldKinds.Of(key);
                if (kind is FieldKind.OwnName or FieldKind.OwnDate or FieldKind.OwnAddress or FieldKind.OwnIdentifier)
                {
                    continue; // the record's own person is the subject: their name, date of birth, address and identifiers
                }

                if (kind is FieldKind.Role)
                {
                    if (NameWords(value) is { Count: >= 2 } words && !profile.IsSubjectName(words))
                    {
                        var span = value.Trim();
                        result.Add(Make(item.Id, key, value.IndexOf(span, StringComparison.Ordinal), span.Length, "professional",
                            $"The {Humanise(key)} field names a professional acting in their role: normally disclosed (DPA 2018 Sch 2 para 17).",
                            SuggestionAction.NormallyDisclose, null));
                    }

                    continue;
                }

                result.AddRange(Resolve(item.Id, key, Spans(value, profile, known, professionals)));
            }

            result.AddRange(Resolve(item.Id, null, Spans(item.Text, profile, known, professionals)));
            result.AddRange(Prompts(item));
        }

        return result;
    }

    // ---- the subject's own data from their own records ----

    private static void LearnSubject(ReviewItem item, SubjectProfile profile)
    {
        string? given = null;
        string? family = null;
        foreach (var (key, value) in item.Fields)
        {
            switch (FieldKinds.Of(key))
            {
                case FieldKind.OwnName when FieldKinds.IsFamily(key):
                    profile.AddFamily(value);
                    family ??= value;
                    break;
                case FieldKind.OwnName:
                    profile.AddGiven(value);
                    given ??= value;
                    break;
                case FieldKind.OwnAddress:
                    profile.AddAddress(value);
                    if (Identifiers.Postcode().IsMatch(value.ToUpperInvariant()))
                    {
                        profile.AddPostcode(value);
                    }

                    break;
                case FieldKind.OwnIdentifier:
                    profile.AddIdentifier(value);
                    break;
            }
        }

        if (given is not null && family is not null)
        {
            profile.AddName($"{given} {family}");
        }
    }

    // ---- spans ----

    private sealed record Span(int Start, int Length, string Kind, string Reason, SuggestionAction Action, string? Code);

    private static List<Span> Spans(string text, SubjectProfile profile, List<(KnownPerson Person, Regex Pattern)> known, HashSet<string> professionals)
    {
        var spans = new List<Span>();
        if (string.IsNullOrEmpty(text))
        {
            return spans;
        }

        foreach (var (person, pattern) in known)
        {
            foreach (Match m in pattern.Matches(text))
            {
                if (professionals.Contains(Key(m.Value)))
                {
                    continue;
                }

                spans.Add(new(m.Index, m.Length, "known-person",
                    $"A person the {person.System} system records{(person.Relationship is { } r ? $" as {Article(r)} {r}" : " with the subject")}, not the subject: their name is third-party data (DPA 2018 Sch 2 para 16).",
                    SuggestionAction.Redact, "TP"));
            }
        }

        foreach (Match m in Identifiers.Email().Matches(text))
        {
            if (profile.Emails.Contains(m.Value))
            {
                continue;
            }

            spans.Add(IsOrganisationDomain(m.Value)
                ? new(m.Index, m.Length, "professional-email", "An email address at an organisation (a school, the council, the NHS, the police): a work address used in role, normally disclosed (DPA 2018 Sch 2 para 17).", SuggestionAction.NormallyDisclose, null)
                : new(m.Index, m.Length, "email", "An email address that is not the subject's or the requester's: another person's contact details (DPA 2018 Sch 2 para 16).", SuggestionAction.Redact, "TP"));
        }

        foreach (Match m in Identifiers.Phone().Matches(text))
        {
            if (Identifiers.IsPhone(m.Value) && !profile.Identifiers.Contains(Identifiers.Compact(m.Value)))
            {
                spans.Add(new(m.Index, m.Length, "phone", "A telephone number that is not recorded as the subject's: another person's contact details (DPA 2018 Sch 2 para 16).", SuggestionAction.Redact, "TP"));
            }
        }

        foreach (Match m in Identifiers.NhsCandidate().Matches(text))
        {
            if (Identifiers.IsNhsNumber(m.Value) && !profile.Identifiers.Contains(Identifiers.Compact(m.Value)))
            {
                spans.Add(new(m.Index, m.Length, "nhs-number", "An NHS number (its check digit is valid) that is not the subject's: another person's identifier (DPA 2018 Sch 2 para 16).", SuggestionAction.Redact, "TP"));
            }
        }

        foreach (Match m in Identifiers.UpnCandidate().Matches(text))
        {
            if (Identifiers.IsUpn(m.Value) && !profile.Identifiers.Contains(Identifiers.Compact(m.Value)))
            {
                spans.Add(new(m.Index, m.Length, "upn", "A Unique Pupil Number (its check letter is valid) that is not the subject's: another pupil's identifier (DPA 2018 Sch 2 para 16).", SuggestionAction.Redact, "TP"));
            }
        }

        var streets = new List<(int Start, int End)>();
        foreach (Match m in Identifiers.StreetLine().Matches(text))
        {
            var end = m.Index + m.Length;
            var tail = Identifiers.Postcode().Match(text, end);
            if (tail.Success && tail.Index - end <= 3 && text.AsSpan(end, tail.Index - end).Trim().TrimStart(',').Trim().IsEmpty)
            {
                end = tail.Index + tail.Length;
            }

            streets.Add((m.Index, end));
            if (!profile.IsSubjectAddress(m.Value))
            {
                spans.Add(new(m.Index, end - m.Index, "address", "An address that is not the subject's: another person's address (DPA 2018 Sch 2 para 16).", SuggestionAction.Redact, "TP"));
            }
        }

        foreach (Match m in Identifiers.Postcode().Matches(text))
        {
            if (!streets.Any(s => m.Index >= s.Start && m.Index < s.End) && !profile.Postcodes.Contains(Identifiers.Compact(m.Value)))
            {
                spans.Add(new(m.Index, m.Length, "postcode", "A postcode that is not the subject's: part of another person's address (DPA 2018 Sch 2 para 16).", SuggestionAction.Redact, "TP"));
            }
        }

        foreach (var name in Names.Find(text))
        {
            if (profile.IsSubjectName(name.Words) || (name.Words.Count == 1 && (profile.Givens.Contains(name.Words[0]) && name.Title is null)))
            {
                continue;
            }

            var isProfessional = name.Role is not null || professionals.Contains(Key(name.Words));
            if (isProfessional)
            {
                spans.Add(new(name.Start, name.Length, "professional",
                    $"A professional acting in their role{(name.Role is { } role ? $" ({role})" : " (named in role elsewhere in the case)")}: normally disclosed (DPA 2018 Sch 2 para 17).",
                    SuggestionAction.NormallyDisclose, null));
            }
            else if (name.Words.Count >= 2 || name.Title is not null || name.Relation is not null)
            {
                var why = name.Relation is { } relation ? $"named as {Article(relation)} {relation}"
                    : name.Title is not null ? "a title and a name"
                    : "a name";
                spans.Add(new(name.Start, name.Length, name.Relation is not null ? "family-member" : "name",
                    $"Another person ({why}) who is not the subject: third-party data; redact unless they consent or disclosure is reasonable (DPA 2018 Sch 2 para 16).",
                    SuggestionAction.Redact, "TP"));
            }
        }

        return spans;
    }

    /// <summary>No two suggestions overlap in one field or text: the longer is kept (on a tie, the one found first).</summary>
    private static IEnumerable<Suggestion> Resolve(long itemId, string? field, List<Span> spans)
    {
        var kept = new List<Span>();
        foreach (var s in spans.Select((s, i) => (s, i)).OrderByDescending(x => x.s.Length).ThenBy(x => x.i).Select(x => x.s))
        {
            if (!kept.Any(k => s.Start < k.Start + k.Length && k.Start < s.Start + s.Length))
            {
                kept.Add(s);
            }
        }

        return kept.OrderBy(s => s.Start).Select(s => Make(itemId, field, s.Start, s.Length, s.Kind, s.Reason, s.Action, s.Code));
    }

    // ---- professionals: named with a role anywhere in the case, or in a role field ----

    private static HashSet<string> Professionals(IReadOnlyList<ReviewItem> items)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            foreach (var (key, value) in item.Fields)
            {
                if (FieldKinds.Of(key) == FieldKind.Role && NameWords(value) is { Count: >= 2 } words)
                {
                    names.Add(Key(words));
                }
                else if (FieldKinds.Of(key) == FieldKind.Other)
                {
                    names.UnionWith(Names.Find(value).Where(n => n.Role is not null && n.Words.Count >= 2).Select(n => Key(n.Words)));
                }
            }

            names.UnionWith(Names.Find(item.Text).Where(n => n.Role is not null && n.Words.Count >= 2).Select(n => Key(n.Words)));
        }

        return names;
    }

    // ---- prompts by system, dataset and words ----

    private static IEnumerable<Suggestion> Prompts(ReviewItem item)
    {
        var system = item.System.ToLowerInvariant();
        var dataset = item.Dataset.ToLowerInvariant();
        var words = string.Join('\n', [item.Title, item.Text, .. item.Fields.Select(f => f.Value)]);
        if (system.Contains("social", StringComparison.Ordinal) || system.Contains("early-help", StringComparison.Ordinal) || system.Contains("children", StringComparison.Ordinal))
        {
            yield return Prompt(item, "serious-harm-social", "SOCIAL",
                "Social work record: consider whether disclosing it would be likely to prejudice social work by causing serious harm to anyone's physical or mental health (DPA 2018 Sch 3 Part 3).");
        }

        if (system.Contains("education", StringComparison.Ordinal) || system.Contains("school", StringComparison.Ordinal) || system == "send")
        {
            yield return Prompt(item, "serious-harm-education", "EDU",
                "Education record: consider whether disclosing it would be likely to cause serious harm to anyone's physical or mental health (DPA 2018 Sch 3 Part 4).");
        }

        if (system.Contains("health", StringComparison.Ordinal) && !system.Contains("early-help", StringComparison.Ordinal)
            || dataset.Contains("medical", StringComparison.Ordinal) || dataset.Contains("health", StringComparison.Ordinal) || Keywords.Health().IsMatch(words))
        {
            yield return Prompt(item, "serious-harm-health", "HEALTH",
                "Health information: consider whether disclosing it would be likely to cause serious harm to anyone's physical or mental health; a health professional's opinion is needed (DPA 2018 Sch 3 Part 2).");
        }

        if (system.Contains("adopt", StringComparison.Ordinal) || dataset.Contains("adopt", StringComparison.Ordinal) || Keywords.Adoption().IsMatch(words))
        {
            yield return Prompt(item, "adoption", "ADOPT",
                "Possibly an adoption record or report: its disclosure is restricted by other law (DPA 2018 Sch 4).");
        }

        if (system == "send" || dataset.Contains("sen", StringComparison.Ordinal) || dataset.Contains("ehc", StringComparison.Ordinal) || Keywords.Sen().IsMatch(words))
        {
            yield return Prompt(item, "sen", "SEN",
                "A special educational needs record (EHC plan or assessment): its disclosure may be restricted by other law (DPA 2018 Sch 4).");
        }
    }

    private static Suggestion Prompt(ReviewItem item, string kind, string code, string reason) =>
        Make(item.Id, null, 0, 0, kind, reason, SuggestionAction.Consider, code);

    // ---- helpers ----

    internal static Suggestion Make(long itemId, string? field, int start, int length, string kind, string reason, SuggestionAction action, string? code)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{itemId}|{field}|{start}|{length}|{kind}")));
        return new Suggestion(Convert.ToHexStringLower(hash)[..24], itemId, field, start, length, kind, reason, action, code);
    }

    private static Regex KnownPattern(KnownPerson person)
    {
        var givens = SubjectProfile.Words(person.Given);
        var family = Regex.Escape(person.Family.Trim()).Replace(@"\ ", @"\s+", StringComparison.Ordinal);
        var first = Regex.Escape(givens[0]);
        var all = string.Join(@"\s+", givens.Select(Regex.Escape));
        return new Regex($@"(?<![\w])(?:{all}|{first})\s+{family}(?![\w])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static List<string> NameWords(string value) =>
        SubjectProfile.Words(value).Where(w => w.Length > 0 && char.IsLetter(w[0])).ToList();

    private static string Key(IEnumerable<string> words) => string.Join(' ', words).ToLowerInvariant();

    private static string Key(string name) => Key(SubjectProfile.Words(name));

    private static string Article(string noun) => noun.Length > 0 && "aeiouAEIOU".Contains(noun[0], StringComparison.Ordinal) ? "an" : "a";

    private static string Humanise(string key) => key.Replace('_', ' ').Replace('-', ' ');

    private static bool IsOrganisationDomain(string email)
    {
        var domain = email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..].ToLowerInvariant();
        return domain.EndsWith(".gov.uk", StringComparison.Ordinal) || domain.EndsWith(".nhs.uk", StringComparison.Ordinal) || domain.EndsWith(".nhs.net", StringComparison.Ordinal)
            || domain.EndsWith(".sch.uk", StringComparison.Ordinal) || domain.EndsWith(".police.uk", StringComparison.Ordinal) || domain.EndsWith(".ac.uk", StringComparison.Ordinal)
            || domain.Contains("school", StringComparison.Ordinal) || domain.Contains("academy", StringComparison.Ordinal) || domain.Contains("council", StringComparison.Ordinal);
    }

    internal static bool IsOrganisationEmail(string email) => IsOrganisationDomain(email);
}

internal static partial class Keywords
{
    [GeneratedRegex(@"\b(?:GP|hospital|CAMHS|diagnos\w*|medical|medication|paediatric\w*|psychiatr\w*|mental health|inhaler|asthma|epilepsy|diabetes|allergy)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    public static partial Regex Health();

    [GeneratedRegex(@"\b(?:adoption|adopted|adoptive|adopter\w*|placement order)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    public static partial Regex Adoption();

    [GeneratedRegex(@"\b(?:EHC ?P?|EHC plan|education, health and care plan|special educational needs|SEN support|statement of SEN)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    public static partial Regex Sen();
}
