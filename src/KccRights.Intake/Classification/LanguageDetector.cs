using System.Text.RegularExpressions;

namespace KccRights.Intake.Classification;

/// <summary>
/// A small, explainable language guess from common words and letters: enough to send a request written in Welsh,
/// Polish, Lithuanian or another language to an officer (who can arrange a translation) instead of reading it as English.
/// </summary>
public static partial class LanguageDetector
{
    private static readonly (string Code, HashSet<string> Words, string Letters)[] Profiles =
    [
        ("en", Set("the and of to i my me you your is are for that have this with please would like all about from it be on in we our an not can dear regards thank thanks information data records hold request"), ""),
        ("cy", Set("y yr a ac i fy eich gan am mae wedi yn ar o gyda hoffwn cais diolch annwyl os gwelwch dda data gwybodaeth chi amdanaf sydd gennych am fod ei bod hefyd cofion yn gywir syr madam"), "ŵŷ"),
        ("pl", Set("i w z na do się nie jest moich moje mnie o że proszę dzień dobry szanowni państwo wniosek danych osobowych dotyczących mój moja który które oraz przez pozdrawiam z poważaniem kopię"), "ąćęłńśźż"),
        ("fr", Set("le la les de des et je mon ma mes vous votre est pour que une un pas avec bonjour merci madame monsieur données personnelles demande cordialement"), "àâçéèêëîïôûùœ"),
        ("es", Set("el la los las de y que en un una por para con mi mis usted su es no hola gracias datos personales solicitud saludos señor señora"), "ñ¿¡áéíóú"),
        ("de", Set("der die das und ich mein meine sie ihr ist nicht mit für von zu ein eine bitte danke daten personenbezogenen anfrage sehr geehrte damen herren grüßen"), "äöüß"),
        ("ro", Set("și în de la cu pentru că nu o un este mea meu vă rog mulțumesc date personale cerere bună ziua stimate"), "ăâîșțş"),
        ("lt", Set("ir į iš su kad ne mano jūsų jus prašau prašymas dėl duomenų duomenis asmens laba diena pagarbiai ačiū yra buvo kopiją kopija mane man gimimo data taryba"), "ąčęėįšųūž"),
        ("pt", Set("o a os as de e que em um uma por para com meu minha meus não você obrigado dados pessoais pedido olá senhor senhora"), "ãõçáéíóúâê"),
    ];

    /// <summary>The language code and the evidence (counts of common words), or <c>und</c> for another script.</summary>
    public static (string Code, double Share, string Evidence) Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var letters = 0;
        var nonLatin = 0;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                letters++;
                if (c > '\u024F' && !(c >= '\u1E00' && c <= '\u1EFF'))
                {
                    nonLatin++;
                }
            }
        }

        if (letters > 20 && nonLatin > letters / 3)
        {
            return ("und", 0, "mostly written in a non-Latin script");
        }

        var words = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();
        if (words.Count == 0)
        {
            return ("en", 0, "no words: assumed English");
        }

        var best = ("en", -1.0, "");
        foreach (var (code, set, special) in Profiles)
        {
            var hits = words.Count(set.Contains);
            var accents = special.Length == 0 ? 0 : text.ToLowerInvariant().Count(c => special.Contains(c, StringComparison.Ordinal));
            var score = (hits + Math.Min(accents, 10) * 0.5) / words.Count;
            if (score > best.Item2)
            {
                best = (code, score, $"{hits} of {words.Count} words are common {code} words");
            }
        }

        // A line or two says too little to call it another language, unless its letters do (ą, ŵ...).
        if (best.Item1 != "en" && words.Count < 12 && !Profiles.First(p => p.Code == best.Item1).Letters.Any(c => text.Contains(c, StringComparison.OrdinalIgnoreCase)))
        {
            return ("en", best.Item2, $"too short to tell ({words.Count} words): assumed English");
        }

        // Short English messages ("what info do u have on me") hit few listed words; prefer English unless another
        // language clearly wins.
        if (best.Item1 != "en")
        {
            var english = Profiles[0];
            var englishHits = words.Count(english.Words.Contains) / (double)words.Count;
            if (englishHits >= best.Item2 * 0.9)
            {
                return ("en", englishHits, $"common English words ({englishHits:P0})");
            }
        }

        return best;
    }

    private static HashSet<string> Set(string words) => new(words.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    [GeneratedRegex(@"\p{L}+", RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex Word();
}
