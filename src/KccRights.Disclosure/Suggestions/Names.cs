using System.Text.RegularExpressions;

namespace KccRights.Disclosure.Suggestions;

/// <summary>A name found in free text, with what stands next to it: a title, a family relation, a professional role.</summary>
internal sealed record NameMatch(int Start, int Length, IReadOnlyList<string> Words, string? Title, string? Relation, string? Role);

/// <summary>
/// Finds people's names in free text: runs of capitalised words (Mc, Mac, O' and double-barrelled names included), less
/// the capitalised words around them that are not names (sentence openers, relations, organisations, places, months),
/// with a title ("Mrs Jones"), a relation ("Mum (Sarah Jones)", "sister Amy") or a role ("Jo Bloggs, social worker",
/// "PC Smith", an email from a work address) beside them.
/// </summary>
internal static partial class Names
{
    private const string Relations =
        "mum|mother|dad|father|step-?mother|step-?father|step-?mum|step-?dad|sister|brother|half-sister|half-brother|sibling|son|daughter|"
        + "aunt|auntie|uncle|nan|nana|nanny|gran|grandmother|grandfather|grandma|grandad|granddad|cousin|partner|boyfriend|girlfriend|"
        + "husband|wife|foster carer|carer|niece|nephew|parent";

    private const string Roles =
        "social\\s+worker|family\\s+support\\s+worker|family\\s+worker|support\\s+worker|key\\s+worker|case\\s+worker|caseworker|senco|sen\\s+co-?ordinator|"
        + "school\\s+nurse|nurse|youth\\s+justice\\s+officer|youth\\s+offending\\s+officer|yot\\s+worker|educational\\s+psychologist|psychologist|head\\s+of\\s+year|"
        + "head\\s+teacher|headteacher|head\\s+of\\s+school|deputy\\s+head|assistant\\s+head|class\\s+teacher|form\\s+tutor|teacher|tutor|"
        + "designated\\s+safeguarding\\s+lead|dsl|early\\s+help\\s+practitioner|practitioner|health\\s+visitor|midwife|gp|doctor|paediatrician|consultant|"
        + "police\\s+officer|police\\s+constable|detective|independent\\s+reviewing\\s+officer|iro|team\\s+manager|manager|chair|therapist|counsellor|"
        + "solicitor|advocate|officer|advisor|adviser|lead\\s+professional|mentor|coordinator|co-ordinator";

    private static readonly HashSet<string> Stop = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "a", "an", "he", "she", "his", "her", "they", "their", "it", "we", "i", "you", "our", "my", "your", "this", "that", "these",
        "those", "there", "here", "and", "but", "or", "then", "on", "in", "at", "by", "with", "for", "of", "to", "from", "about", "after",
        "before", "during", "when", "while", "since", "also", "both", "all", "today", "yesterday", "tomorrow", "no", "yes", "not", "next",
        "seen", "discussed", "telephone", "call", "reported", "meeting", "present", "agreed", "witnessed", "parents", "parent",
        "interviewed", "application", "sibling", "reviewed", "child", "children", "request", "referral", "dear", "yours", "hello", "hi",
        "regards", "re", "pupil", "please", "actions", "action", "mother", "father", "mum", "dad", "sister", "brother", "son", "daughter",
        "aunt", "uncle", "nan", "gran", "cousin", "carer", "home", "visit", "concern", "concerns", "suspension", "attendance", "subject",
        "date", "reason", "kind", "best", "many", "thanks", "thank", "following", "note", "notes", "update", "summary", "plan", "outcome",
        "decision", "staff", "further", "sincerely", "apologies", "signed", "copy", "cc", "dob", "born", "address", "tel", "phone", "mobile",
        "email", "name", "social", "worker", "teacher", "nurse", "officer", "head", "police", "doctor", "young", "person", "victim",
        "birthday", "christmas", "easter", "english", "maths", "mathematics", "reading", "science", "school", "class", "year", "term",
        "key", "stage", "steps", "step", "risk", "review", "report", "minutes", "agenda", "strengths", "outcomes", "looked", "good",
        "very", "new", "first", "second", "last", "overall", "background", "current", "previous", "initial", "final", "contact", "contacts",
    };

    // A street's last word ("Mill Lane", "Station Road"); a first name may be one of them ("Lane VonRueden").
    private static readonly HashSet<string> StreetWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "road", "street", "avenue", "lane", "close", "drive", "way", "place", "crescent", "gardens", "court", "terrace", "grove", "rise",
        "mews", "row", "parade", "walk", "square",
    };

    private static readonly HashSet<string> TitleWords = new(StringComparer.Ordinal) { "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Master" };

    private static readonly HashSet<string> Organisation = new(StringComparer.OrdinalIgnoreCase)
    {
        "school", "academy", "college", "council", "county", "kent", "services", "service", "team", "primary", "grammar", "secondary",
        "university", "hospital", "surgery", "centre", "center", "trust", "nhs", "church", "st", "saint", "high", "infant", "infants", "junior", "juniors", "nursery", "department", "office", "board",
        "unit", "group", "partnership", "care", "education", "health", "around", "conference", "protection", "panel", "ltd", "limited",
        "plc", "foundation", "federation", "house", "hall", "park", "station", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "england", "britain", "uk", "london", "canterbury", "maidstone", "margate", "ashford", "folkestone",
        "dover", "chatham", "gillingham", "rochester", "dartford", "gravesend", "sevenoaks", "tonbridge", "tunbridge", "wells",
        "ramsgate", "broadstairs", "whitstable", "herne", "bay", "sittingbourne", "faversham", "deal", "sandwich", "hythe", "medway",
        "thanet", "swale", "shepway", "sheerness", "services", "assessment", "plan", "order", "caution", "referral", "intervention",
        "programme", "support", "needs", "awareness", "training", "employment", "substance", "misuse", "theft", "damage", "assault",
        "possession", "fixed-term", "permanent", "exclusion", "persistent", "physical", "verbal", "disruptive", "behaviour",
    };

    // A capitalised word that can be part of a name: Sarah, McDonald, MacLeod, O'Brien, D'Souza, Smith-Jones, VonRueden.
    private const string Token = @"(?:Mc|Mac|O'|O’|D')?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)*(?:-\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)*)*";

    [GeneratedRegex(@"(?<![\p{L}\d'’-])(?<title>(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?[ \t]+)?(?<name>" + Token + @"(?:[ \t]+" + Token + @"){0,3})(?![\p{L}\d])", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Candidate();

    [GeneratedRegex(@"\b(?<rel>" + Relations + @")\s*[(:,]?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RelationBefore();

    [GeneratedRegex(@"^\s*\(\s*(?:the\s+|a\s+|his\s+|her\s+|their\s+)?(?<rel>" + Relations + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RelationAfter();

    [GeneratedRegex(@"^[ \t]*(?:,|\(|\r?\n|–|-)\s*(?:the\s+|a\s+|an\s+|our\s+|their\s+|school\s+|named\s+)?(?<role>" + Roles + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RoleAfter();

    [GeneratedRegex(@"\b(?<role>" + Roles + @")[ \t]*[,:(]?[ \t]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex RoleBefore();

    [GeneratedRegex(@"\b(?<role>PC|DC|PCSO|Sgt|DS|DI|Insp|Cllr)\.?[ \t]*$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex PoliceBefore();

    // Someone who arranged, chaired or wrote something for the service is acting in their role.
    [GeneratedRegex(@"\b(?:arranged|chaired|completed|authorised|authorized|approved|signed|written|recorded|led|facilitated|delivered|convened)\s+by\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ActingBefore();

    [GeneratedRegex(@"^""?[ \t]*<(?<email>[^<>\s]+@[^<>\s]+)>", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex EmailAfter();

    public static List<NameMatch> Find(string text)
    {
        var found = new List<NameMatch>();
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }

        foreach (Match m in Candidate().Matches(text))
        {
            var group = m.Groups["name"];
            var words = new List<(string Word, int Start)>();
            foreach (Match w in TokenRegex().Matches(group.Value))
            {
                words.Add((w.Value, group.Index + w.Index));
            }

            if (words.Any(w => Organisation.Contains(w.Word)) || StreetWords.Contains(words[^1].Word))
            {
                continue; // "Fulston Manor School", "Kent County Council": a place or an organisation, not a person
            }

            var title = m.Groups["title"].Success ? m.Groups["title"].Value.Trim().TrimEnd('.') : null;
            while (words.Count > 0 && Stop.Contains(words[0].Word))
            {
                words.RemoveAt(0);
                title = null; // "Dear Mrs" is not a titled name; the title belonged to the stripped words' run
            }

            while (words.Count > 0 && Stop.Contains(words[^1].Word))
            {
                words.RemoveAt(words.Count - 1);
            }

            int? titleStart = title is not null && words.Count > 0 && words[0].Start == group.Index ? m.Groups["title"].Index : null;
            if (titleStart is null)
            {
                title = null;
            }

            if (words.Count > 1 && TitleWords.Contains(words[0].Word))
            {
                // "Dear Mrs Jones": the run began before the title.
                title = words[0].Word;
                titleStart = words[0].Start;
                words.RemoveAt(0);
            }

            if (words.Count == 0 || words.Any(w => Organisation.Contains(w.Word) || TitleWords.Contains(w.Word)))
            {
                continue;
            }

            var start = titleStart ?? words[0].Start;
            var end = words[^1].Start + words[^1].Word.Length;

            var before = text[Math.Max(0, start - 40)..start];
            var after = text[end..Math.Min(text.Length, end + 60)];
            string? relation = null;
            if (RelationBefore().Match(before) is { Success: true } rb)
            {
                relation = rb.Groups["rel"].Value.ToLowerInvariant();
            }
            else if (RelationAfter().Match(after) is { Success: true } ra)
            {
                relation = ra.Groups["rel"].Value.ToLowerInvariant();
            }

            string? role = null;
            if (title == "Dr")
            {
                role = "doctor";
            }
            else if (RoleAfter().Match(after) is { Success: true } roa)
            {
                role = Spaced(roa.Groups["role"].Value);
            }
            else if (relation is null && RoleBefore().Match(before) is { Success: true } rob)
            {
                role = Spaced(rob.Groups["role"].Value);
            }
            else if (PoliceBefore().Match(before) is { Success: true } pb)
            {
                role = pb.Groups["role"].Value == "Cllr" ? "councillor" : "police officer";
            }
            else if (relation is null && title is null && ActingBefore().IsMatch(before))
            {
                role = "acting for the service";
            }
            else if (EmailAfter().Match(after) is { Success: true } ea && SuggestionEngine.IsOrganisationEmail(ea.Groups["email"].Value))
            {
                role = "writing from a work email address";
            }

            if (relation is not null && role is not null && role != "doctor")
            {
                role = null; // "(mother)" beside the name outweighs a role word further on
            }

            found.Add(new NameMatch(start, end - start, words.Select(w => w.Word).ToList(), title, relation, role));
        }

        return found;
    }

    private static string Spaced(string words) => string.Join(' ', words.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(Token, RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TokenRegex();
}
