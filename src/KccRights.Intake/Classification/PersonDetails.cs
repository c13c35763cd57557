using System.Text.RegularExpressions;

namespace KccRights.Intake.Classification;

/// <summary>Names, previous names, school, address and an agent's reference, found by labelled phrases.</summary>
internal static partial class PersonDetails
{
    // Two to four capitalised words: Daniel Okafor, Jade Parker, Mary-Jane O'Neill, Aisha Begum.
    // Issue 14, item 7: names begin with any capital (Łukasz, Żaneta, Šarūnas), not only A to Z.
    private const string Word = @"(?:[A-Z]['’])?(?:Mc|Mac)?\p{Lu}[\p{Ll}]+(?:[\-'’]\p{Lu}[\p{Ll}]+)?";
    private const string Name = @"(?<name>(?-i:" + Word + @"(?:[ \t]+(?:" + Word + @"|(?:de|van|von|da|du|bin|al|ap)(?=[ \t]+\p{Lu}))){1,3}))";

    // A date-of-birth or age cue after a name, in the languages Kent's families write in.
    private const string BirthCue = @"(?i:born|dob|d\.o\.b\.?|date\s+of\s+birth|data\s+urodzenia|ur\.|urodzon[ya]|data\s+na[sș]terii|n[ăa]scut[ăa]?|gimimo\s+data|gim\.|fecha\s+de\s+nacimiento|nacid[oa]|data\s+de\s+nascimento|n[ée]e?\s+le|geboren)";
    private const string AgeCue = @"(?i:aged\s+\d{1,2}\b|age\s+\d{1,2}\b|who\s+is\s+\d{1,2}\b|\(\s*(?:aged?\s+)?\d{1,2}\s*\)|\d{1,2}\s*(?:years?\s+old|yrs?\b))";

    // Greetings, request words and honorifics in other languages: never a name, nor part of one (issue 14, item 7:
    // "Wniosek" - Polish for "request" - was once taken as a requester's name).
    private static readonly string[] ForeignNotNameWords =
    [
        // Polish
        "Wniosek", "Dzień", "Dzien", "Dobry", "Dobrego", "Szanowni", "Szanowny", "Szanowna", "Państwo", "Panstwo", "Pan", "Pani", "Panie", "Witam", "Proszę", "Prosze", "Prośba", "Dziękuję", "Dziekuje", "Pozdrawiam", "Poważaniem", "Rodo", "Dotyczy",
        // Romanian
        "Bună", "Buna", "Ziua", "Ziuă", "Stimate", "Stimată", "Stimata", "Stimați", "Domnule", "Domnul", "Doamnă", "Doamna", "Cerere", "Mulțumesc", "Multumesc", "Stimă", "Stima",
        // Lithuanian
        "Laba", "Diena", "Sveiki", "Gerbiami", "Gerbiamas", "Gerbiama", "Prašymas", "Prasymas", "Prašau", "Ponas", "Ponia", "Pagarbiai", "Ačiū", "Aciu",
        // Urdu and Punjabi, transliterated
        "Assalam", "Assalamu", "Asalam", "Salam", "Salaam", "Alaikum", "Alaykum", "Aleikum", "Walaikum", "Janab", "Jenab", "Mohtaram", "Mohtarma", "Sahib", "Sahiba", "Shukriya", "Darkhwast", "Meherbani", "Namaste", "Sat", "Sri", "Akal",
        // Spanish and Portuguese
        "Hola", "Buenos", "Bueno", "Buenas", "Buena", "Días", "Dias", "Día", "Dia", "Tardes", "Tarde", "Estimado", "Estimada", "Estimados", "Señor", "Señora", "Señores", "Senor", "Senora", "Solicitud", "Solicito", "Saludos", "Atentamente", "Gracias", "Olá", "Ola", "Bom", "Boa", "Pedido", "Prezados", "Obrigado", "Obrigada",
        // French, German, Italian, Turkish
        "Bonjour", "Madame", "Monsieur", "Demande", "Cordialement", "Guten", "Tag", "Sehr", "Geehrte", "Geehrter", "Antrag", "Herr", "Frau", "Ciao", "Salve", "Buongiorno", "Richiesta", "Merhaba", "Talep", "Sayın",
        // English greetings
        "Good", "Morning", "Afternoon", "Evening", "Greetings", "Hiya", "Hey", "Hallo", "Hullo",
    ];
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

    static PersonDetails() => NotNameWords.UnionWith(ForeignNotNameWords);

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

        // A greeting or request word inside the capture ("Bună Ziua Mihai") is not part of a name.
        return words.Count >= 2 && !words.Any(NotNameWords.Contains) ? string.Join(' ', words) : null;
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

    /// <summary>
    /// Issue 14, item 7: a parent, guardian, carer or professional names the child they act for: "Jack Harper's mum",
    /// "the father of Mia Kowalski", "special guardian for Amelia Ross", "a little girl called Ruby Lane".
    /// </summary>
    private static readonly Regex[] ActingForPatterns =
    [
        new(@"(?<![\p{L}])" + Name + @"['’]s?[ \t]+(?i:(?:birth\s+|adoptive\s+|step-?|special\s+|legal\s+|foster\s+|kinship\s+|allocated\s+|named\s+)?(?:mum|mom|mummy|dad|daddy|mother|father|parents?|guardian|carers?|social\s+worker|key\s*worker|support\s+worker|advocate|personal\s+adviser))\b", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:mum|mom|dad|mother|father|parents?|guardian|guardianship\s+order|carers?|social\s+worker|key\s*worker|support\s+worker|advocate|personal\s+adviser)\s+(?:of|for|to))[ \t]+" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:girl|boy|child|young\s+person|teenager|son|daughter|lad|baby|toddler)\s+(?:called|named))[ \t]+" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:I|we)\s+(?:currently\s+)?(?:foster|look\s+after|care\s+for))[ \t]+" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bwhere)[ \t]+" + Name + @"(?=,|[ \t]+(?i:lives|is\s+living|is\s+placed))", RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] SelfPatterns =
    [
        new(@"(?i:\bmy\s+name\s+is)[ \t]+" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:nazywam\s+si[eę]|mam\s+na\s+imi[eę]|numele\s+meu\s+este|m[ăa]\s+numesc|mano\s+vardas(?:\s+yra)?|me\s+llamo|mi\s+nombre\s+es|meu\s+nome\s+[ée]|je\s+m'appelle|mein\s+Name\s+ist|ich\s+hei(?:ß|ss)e|mera\s+naam|mera\s+nam)(?:\s+(?:hai|jest|es))?)[ \t]+" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bI\s+am)[ \t]+" + Title + Name + @"(?=[ \t]*[,.(]|[ \t]+(?i:and|born|dob|d\.o\.b))", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"\(" + Name + @",[ \t]*(?i:born|dob|d\.o\.b|date\s+of\s+birth|\d)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+\(?)" + BirthCue + @"(?!\w)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"[ \t]*,?[ \t]*(?=\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] ChildPatterns =
    [
        new(@"(?i:\b(?:my|our)\s+(?:\w+\s+)?(?:son|daughter|child|stepson|stepdaughter|step-son|step-daughter|boy|girl)|\bmojego\s+syna|\bmojej\s+c[oó]rki|\bmoje(?:go)?\s+dziecka|\bmeri\s+(?:beti|bachi)|\bmera\s+(?:beta|bacha)|\bmi\s+hij[oa]|\bfiul\s+meu|\bfiica\s+mea)(?:'s)?,?[ \t]+(?:(?i:is|called|named)[ \t]+)?" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\b(?:child|pupil|student)(?:'s)?\s+(?:full\s+)?name\s*:)[ \t]*" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bon\s+behalf\s+of)[ \t]+" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        .. ActingForPatterns,
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+\(?)" + BirthCue + @"(?!\w)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+)" + AgeCue, RegexOptions.CultureInvariant, RegexBudget.Timeout),
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
        .. ActingForPatterns,
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+\(?)" + BirthCue + @"(?!\w)", RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?<![\p{L}])" + Name + @"(?:,[ \t]*|[ \t]+)" + AgeCue, RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    private static readonly Regex[] LabelPatterns =
    [
        new(@"(?im:^[ \t]*(?:full\s+)?name(?:\s+of\s+(?:data\s+)?subject)?\s*:)[ \t]*" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bdata\s+subject\s*:)[ \t]*" + Title + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
        new(@"(?i:\bimi[eę]\s+i\s+nazwisko\s*:|\benw\s*:)[ \t]*" + Name, RegexOptions.CultureInvariant, RegexBudget.Timeout),
    ];

    [GeneratedRegex(@"(?i:\b(?:kind|best|warm)?\s*regards|\bthanks|\bthank\s+you|\bmany\s+thanks|\byours\s+(?:sincerely|faithfully|truly)|\bcheers|\bz\s+powa[żz]aniem|\bpozdrawiam|\bcofion(?:\s+gorau)?|\byn\s+gywir|\bdzi[eę]kuj[eę]|\bz\s+wyrazami\s+szacunku|\bmul[tț]umesc|\bcu\s+stim[aă]|\bcu\s+respect|\bpagarbiai|\ba[cč]i[uū]|\bsaludos|\batentamente|\bgracias|\bcordialement|\bmit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en|\batenciosamente|\bobrigad[oa]|\bshukriya|\bjazak\s*allah(?:\s+khair)?)[,!.]?[ \t]*\r?\n+[ \t]*" + Name + @"[ \t]*(?:\r?\n|$)", RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
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
