using System.Text.RegularExpressions;

namespace KccRights.Intake.Classification;

/// <summary>Names, previous names, school, address and an agent's reference, found by labelled phrases.</summary>
internal static partial class PersonDetails
{
    // Two to four capitalised words: Daniel Okafor, Jade Parker, Mary-Jane O'Neill, Aisha Begum.
    private const string Word = @"(?:[A-Z]['’])?(?:Mc|Mac)?[A-Z][\p{Ll}]+(?:[\-'’][A-Z][\p{Ll}]+)?";
    private const string Name = @"(?<name>(?-i:" + Word + @"(?:[ \t]+(?:" + Word + @"|(?:de|van|von|da|du|bin|al|ap)(?=[ \t]+[A-Z]))){1,3}))";
    private const string Title = @"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?[ \t]+)?";

    private static readonly HashSet<string> NotNameWords = new(StringComparer.Ordinal)
    {
        "Date", "Dob", "DOB", "Year", "School", "Road", "Street", "Primary", "Academy", "Grammar", "College", "Council", "County", "Kent",
        "Subject", "Access", "Request", "Dear", "Sir", "Madam", "Regards", "Thanks", "Thank", "Kind", "Best", "Yours", "Many", "Hello", "Hi",
        "Please", "The", "Data", "Protection", "Team", "Officer", "Solicitors", "Ltd", "Limited", "LLP", "Services", "Department", "Address",
        "Flat", "Born", "Name", "Previous", "Previously", "Formerly", "Under", "Article", "Sent", "From", "To", "Children", "Social", "Work",
        "Early", "Help", "Youth", "Justice", "Special", "Educational", "Needs", "He", "She", "They", "We", "My", "Our", "His", "Her", "And",
        "Information", "Records", "Freedom", "Act", "Also", "Once", "Then", "Now", "Today", "Monday", "Tuesday", "Wednesday", "Thursday",
        "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December", "UPN", "Upn", "Pupil", "Number", "Care", "Leaver", "Mum", "Dad", "Son", "Daughter",
    };

    private static readonly string[] OrganisationWords =
        ["solicitor", "llp", " ltd", "limited", "& co", "and co", "team", "council", "school", "academy", "college", "services", "law", "legal", "chambers", "office", "desk", "department", "trust", "nhs", "news"];

    public static bool LooksLikePersonalName(string? displayName)
    {
        if (string.IsNullOrWhiteSpace(displayName))
        {
            return false;
        }

        var lower = displayName.ToLowerInvariant();
        if (OrganisationWords.Any(w => lower.Contains(w, StringComparison.Ordinal)) || displayName.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        var words = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 2 and <= 4 && words.All(w => char.IsUpper(w[0]));
    }

    /// <summary>Cleans a captured name: drops trailing words that are not names (Date, School...).</summary>
    public static string? Clean(string? captured)
    {
        if (string.IsNullOrWhiteSpace(captured))
        {
            return null;
        }

        var words = captured.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 0 && NotNameWords.Contains(words[^1].TrimEnd('\'', '’', 's')))
        {
            words.RemoveAt(words.Count - 1);
        }

        while (words.Count > 0 && NotNameWords.Contains(words[0]))
        {
            words.RemoveAt(0);
        }

        return words.Count >= 2 ? string.Join(' ', words) : null;
    }

    public static (string Name, string Phrase)? SubjectName(string text, Relationship relationship)
    {
        var patterns = relationship switch
        {
            Relationship.Child => ChildPatterns,
            Relationship.Client => ClientPatterns,
            Relationship.Other => OtherPatterns,
            _ => SelfPatterns,
        };
        foreach (var pattern in patterns.Concat(LabelPatterns))
        {
            foreach (Match match in pattern.Matches(text))
            {
                if (Clean(match.Groups["name"].Value) is { } name)
                {
                    return (name, match.Value.Trim().ReplaceLineEndings(" "));
                }
            }
        }

        return null;
    }

    /// <summary>A name signed at the end of the message (after "Kind regards", "Thanks"...).</summary>
    public static string? SignedName(string text)
    {
        var match = SignOff().Match(text);
        return match.Success ? Clean(match.Groups["name"].Value) : null;
    }

    public static List<(string Name, string Phrase)> PreviousNames(string text)
    {
        var found = new List<(string, string)>();
        foreach (Match match in PreviousName().Matches(text))
        {
            var raw = match.Groups["prev"].Value;
            var words = raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Where(w => !NotNameWords.Contains(w)).ToList();
            if (words.Count > 0 && !found.Any(f => f.Item1 == string.Join(' ', words)))
            {
                found.Add((string.Join(' ', words), match.Value.Trim().ReplaceLineEndings(" ")));
            }
        }

        return found;
    }

    public static (string School, string Phrase)? School(string text)
    {
        var match = SchoolPattern().Match(text);
        return match.Success ? (match.Groups["school"].Value.Trim(), match.Value.Trim().ReplaceLineEndings(" ")) : null;
    }

    public static (string Reference, string Phrase)? AgentReference(string text)
    {
        foreach (Match match in ReferencePattern().Matches(text))
        {
            var value = match.Groups["ref"].Value.TrimEnd('.', ',');
            if (value.Any(char.IsAsciiDigit) && !value.StartsWith("KCC-", StringComparison.OrdinalIgnoreCase))
            {
                return (value, match.Value.Trim());
            }
        }

        return null;
    }

    /// <summary>An address: an "Address:" line, or the words before a postcode back to "of", "at" or the line start.</summary>
    public static (string? Address, string Postcode)? Address(string text)
    {
        var labelled = AddressLabel().Match(text);
        foreach (var (index, length, postcode) in Postcode.FindAll(text))
        {
            if (labelled.Success && index >= labelled.Index && index <= labelled.Index + labelled.Length)
            {
                return (labelled.Groups["address"].Value.Trim().TrimEnd('.', ','), postcode);
            }

            var lineStart = text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
            var before = text[lineStart..index];
            var cut = AddressStart().Matches(before).LastOrDefault();
            var start = cut is null ? 0 : cut.Index + cut.Length;
            var address = string.Concat(before.AsSpan(start), text.AsSpan(index, length)).Trim().TrimStart('(', ',').Trim();
            // Start at the house number or flat where there is one ("Tom Fisher 21/06/1989, 5 Hope Street").
            if (HouseStart().Match(address) is { Success: true } house && house.Index < address.Length - length)
            {
                address = address[house.Index..];
            }

            if (address.Length > 120)
            {
                address = address[^120..];
            }

            return (address.Length > length + 3 ? address : null, postcode);
        }

        return null;
    }

    private static readonly Regex[] SelfPatterns =
    [
        new(@"(?i:\bmy\s+name\s+is)[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bI\s+am)[ \t]+" + Title + Name + @"(?=[ \t]*[,.(]|[ \t]+(?i:and|born|dob|d\.o\.b))", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"\(" + Name + @",[ \t]*(?i:born|dob|d\.o\.b|date\s+of\s+birth|\d)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+\(?)(?i:born|dob|d\.o\.b\.?|date\s+of\s+birth)\b", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"[ \t]*,?[ \t]*(?=\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] ChildPatterns =
    [
        new(@"(?i:\b(?:my|our)\s+(?:\w+\s+)?(?:son|daughter|child|stepson|stepdaughter|step-son|step-daughter|boy|girl))(?:'s)?,?[ \t]+(?:(?i:is|called|named)[ \t]+)?" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:child|pupil|student)(?:'s)?\s+(?:full\s+)?name\s*:)[ \t]*" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bon\s+behalf\s+of)[ \t]+" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+\(?)(?i:born|dob|d\.o\.b\.?|date\s+of\s+birth)\b", RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] ClientPatterns =
    [
        new(@"(?i:\bour\s+client|\bmy\s+client)[:,]?[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:we|I)\s+(?:act|are\s+acting|am\s+acting|represent)\s+(?:for|on\s+behalf\s+of)?)[ \t]*" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bwe\s+(?:are|have\s+been)\s+instructed\s+by)[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bclient(?:'s)?\s+(?:full\s+)?name\s*:|\bre\s*:|\bclient\s*:)[ \t]*" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bon\s+behalf\s+of)[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] OtherPatterns =
    [
        new(@"(?i:\bmy\s+(?:late\s+)?(?:mother|father|mum|dad|brother|sister|husband|wife|partner|grandson|granddaughter|grandchild|nephew|niece|foster\s+(?:son|daughter|child)))(?:'s)?,?[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bon\s+behalf\s+of)[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+\(?)(?i:born|dob|d\.o\.b\.?|date\s+of\s+birth)\b", RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] LabelPatterns =
    [
        new(@"(?im:^[ \t]*(?:full\s+)?name(?:\s+of\s+(?:data\s+)?subject)?\s*:)[ \t]*" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bdata\s+subject\s*:)[ \t]*" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bimi[eę]\s+i\s+nazwisko\s*:|\benw\s*:)[ \t]*" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    [GeneratedRegex(@"(?i:\b(?:kind|best|warm)?\s*regards|\bthanks|\bthank\s+you|\bmany\s+thanks|\byours\s+(?:sincerely|faithfully|truly)|\bcheers|\bz\s+powa[żz]aniem|\bpozdrawiam|\bcofion(?:\s+gorau)?|\byn\s+gywir)[,!.]?[ \t]*\r?\n+[ \t]*" + Name + @"[ \t]*(?:\r?\n|$)", RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex SignOff();

    [GeneratedRegex(@"(?i:\b(?:previously|formerly(?:\s+known\s+as)?|n[ée]e|maiden\s+name(?:\s+(?:was|is))?:?|previous\s+(?:sur)?names?(?:\s+(?:was|were|is))?:?|former\s+(?:sur)?names?:?|birth\s+name:?|known\s+as|also\s+known\s+as|aka|f/k/a))[ \t]+(?<prev>(?-i:[A-Z][\p{Ll}'’\-]+(?:[ \t]+[A-Z][\p{Ll}'’\-]+){0,2}))", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexBudget.Milliseconds)]
    private static partial Regex PreviousName();

    [GeneratedRegex(@"(?:(?i:\b(?:at|attends|attended|attending|from|went\s+to|pupil\s+at|student\s+at|school\s*:|enrolled\s+at|moved\s+to|w\s+szkole|yn\s+Ysgol))[ \t]+(?:the[ \t]+)?)(?<school>(?-i:(?:St\.?|[A-Z][\p{L}'’\.\-]*)(?:[ \t]+(?:[A-Z][\p{L}'’\.\-]*|of|the|and|&|on|upon|in))*?[ \t]+(?:C[ \t]+of[ \t]+E[ \t]+)?(?:Primary School|Junior School|Infant School|Infants School|Secondary School|High School|Grammar School|Community College|Grammar|Academy|School|College|Primary)|Ysgol[ \t]+[A-Z][\p{L}'’\-]+(?:[ \t]+[A-Z][\p{L}'’\-]+)*))\b", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexBudget.Milliseconds)]
    private static partial Regex SchoolPattern();

    internal static Regex SchoolRegex => SchoolPattern();

    [GeneratedRegex(@"\b(?:our|my)\s+(?:file\s+|own\s+|client\s+)?ref(?:erence)?(?:\s+(?:no\.?|number))?\s*(?:is\s+)?[:\-]?\s*(?<ref>[A-Z0-9][A-Z0-9/\-\.]*[A-Z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexBudget.Milliseconds)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"(?im:^[ \t]*(?:home\s+|current\s+|postal\s+)?address\s*:)[ \t]*(?<address>[^\n]+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexBudget.Milliseconds)]
    private static partial Regex AddressLabel();

    [GeneratedRegex(@"(?i:\b(?:formerly\s+of|previously\s+of|of|at|live\s+at|living\s+at|lives\s+at|address\s+is|address\s*:|moved\s+to)\s+|\(|:\s+|\.\s+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexBudget.Milliseconds)]
    private static partial Regex AddressStart();

    [GeneratedRegex(@"\b(?:(?:Flat|Apartment|Unit|Room)\s+\d+[A-Za-z]?\b|\d+[A-Za-z]?(?=[ \t]+[A-Z]))", RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex HouseStart();
}
