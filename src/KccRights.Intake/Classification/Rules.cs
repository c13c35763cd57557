using System.Text.RegularExpressions;
using KccRights.Domain.Cases;

namespace KccRights.Intake.Classification;

/// <summary>One explainable rule: a phrase pattern, what it is evidence of, and how strongly.</summary>
internal sealed record PhraseRule(string Label, double Weight, Regex Pattern, bool SubjectOnly = false)
{
    public static PhraseRule Text(string label, double weight, string pattern) =>
        new(label, weight, RegexBudget.Create(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));

    public static PhraseRule Subject(string label, double weight, string pattern) =>
        new(label, weight, RegexBudget.Create(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), SubjectOnly: true);
}

/// <summary>
/// The phrase rules for each right (UK GDPR Arts 15-18, 20-22; DPA 2018 s.164A) and for the requester's relationship
/// to the data subject. A request need not name the right or the law to be valid (ICO guidance on the right of
/// access), so the rules look for what people actually write, not only for "Article 15".
/// </summary>
internal static class Rules
{
    private const string Data = @"(?:personal\s+)?(?:information|info|data|records?|files?|details|notes|reports?|documents?|paperwork)";
    private const string Whose = @"(?:my|his|her|their|our|our\s+client'?s|my\s+(?:son|daughter|child)'?s)";

    public static readonly IReadOnlyDictionary<Right, PhraseRule[]> RightRules = new Dictionary<Right, PhraseRule[]>
    {
        // UK GDPR Art 15: right of access.
        [Right.Access] =
        [
            PhraseRule.Text("subject access request", 0.95, @"\b(?:data\s+)?subject\s+access\s+(?:request|application)\b"),
            PhraseRule.Text("SAR", 0.75, @"(?-i:\bSARs?\b)"),
            PhraseRule.Text("right of access", 0.85, @"\bright\s+(?:of|to)\s+access\b"),
            PhraseRule.Text("Article 15", 0.85, @"\b(?:article|art\.?)\s*15\b"),
            PhraseRule.Text("copy of the data", 0.85, @"\bcop(?:y|ies)\s+of\s+(?:all\s+|any\s+|the\s+|everything\s+)?(?:of\s+)?(?:the\s+)?(?:" + Whose + @"\s+)?(?:\w+\s+){0,2}?" + Data + @"\b"),
            PhraseRule.Text("asks for copies", 0.6, @"\b(?:request(?:ing)?|like|want|wish\s+to\s+(?:have|receive|see)|receive|obtain|need)\s+(?:a\s+|full\s+)?cop(?:y|ies)\b"),
            PhraseRule.Text("everything you hold", 0.8, @"(?<!\b(?:delete|erase|remove|destroy|correct|amend|update|restrict)\s+(?:\w+\s+)?)\b(?:all|any|every|everything|what)\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+)?(?:" + Data + @"\s+)?(?:that\s+|which\s+)?(?:you|u|the\s+council|kent\s+county\s+council|kent|kcc|your\s+(?:department|team|service|organisation))\s+(?:currently\s+|may\s+|might\s+|still\s+)?(?:hold|holds|have|has|keep|keeps|store|stores|process)\b"),
            PhraseRule.Text("what do you hold", 0.5, @"\bwhat\s+(?:info|information|data|records?|details|files?)\s+(?:do\s+|does\s+)?(?:you|u|the\s+council|kcc|kent)\s+(?:have|hold|keep|got)\b"),
            PhraseRule.Text("records held about", 0.75, @"\b" + Data + @"\s+(?:that\s+)?(?:you|the\s+council|kcc)\s+(?:hold|have|keep)\s+(?:about|on|regarding|concerning|relating\s+to)\s+(?:me|my|him|her|them|us|our)\b"),
            PhraseRule.Text("see the records", 0.65, @"\b(?:see|access|view|read|obtain|get)\s+" + Whose + @"\s+(?:\w+\s+){0,2}?(?:records?|files?|data|information|notes)\b"),
            PhraseRule.Text("send me the records", 0.6, @"\bsend\s+(?:me|us)\s+(?:all\s+|a\s+copy\s+of\s+|copies\s+of\s+)?(?:of\s+)?(?:my|the|his|her|their|our)\s+(?:\w+\s+){0,2}?(?:records?|data|information|files?|notes)\b"),
            PhraseRule.Text("would like the records", 0.6, @"\b(?:would\s+like|want|need|request(?:ing)?|asking\s+for)\s+(?:all\s+|copies\s+)?(?:of\s+)?" + Whose + @"\s+(?:\w+\s+){0,2}?(?:records?|files?|notes|personal\s+data)\b"),
            PhraseRule.Text("can I have the records", 0.6, @"\b(?:can|could|may)\s+(?:i|you|we)\s+(?:please\s+)?(?:get|have|see|receive|let\s+me\s+(?:have|see)|send\s+me|get\s+hold\s+of)\s+(?:all\s+|a\s+copy\s+of\s+|copies\s+of\s+|whatever\s+|everything\s+)?(?:of\s+)?(?:the\s+|my\s+|his\s+|her\s+|their\s+)?(?:\w+\s+){0,3}?(?:records?|files?|paperwork|notes|information|data|reports?|minutes|documents?)\b"),
            PhraseRule.Text("what is on file about", 0.6, @"\bwhatever\s+(?:is|you\s+have)\s+on\s+(?:file|record)\b|\bon\s+(?:file|record)\s+about\s+(?:me|him|her|them|us)\b"),
            PhraseRule.Text("everything written about", 0.7, @"\b(?:read|see|have|get|know)\s+(?:everything|all|whatever|what)\s+(?:that\s+)?(?:they|you|the\s+\w+|staff|social\s+workers?)\s*(?:'ve|have|has)?\s+(?:written|recorded|noted|kept|said|put\s+down)\s+(?:about|on)\s+(?:me|him|her|them|us|my)\b"),
            PhraseRule.Subject("records request in the subject", 0.5, @"^(?:(?:re|fw|fwd):\s*)?(?:(?:request\s+for\s+(?:my|his|her|our|a\s+copy\s+of))|(?:records?|personal\s+data|data|information)\s+request|access\s+to\s+(?:my|records))"),
            PhraseRule.Text("access request (Welsh)", 0.7, @"\bcais\s+(?:gwrthrych\s+)?am\s+(?:fynediad|wybodaeth)|\bcopi\s+o(?:'r|r)?\s+(?:holl\s+)?(?:wybodaeth|data|cofnodion)|\bgwybodaeth\s+(?:bersonol\s+)?sydd\s+gennych"),
            PhraseRule.Text("access request (Polish)", 0.7, @"\bdost[eę]p(?:u)?\s+do\s+(?:moich\s+|swoich\s+|jego\s+|jej\s+)?danych|\bkopi[eęi]\s+(?:moich\s+|wszystkich\s+|swoich\s+)?danych|\bart(?:ykuł|ykulu|\.)?\s*15\s+rodo|\bwniosek\s+o\s+(?:udost[eę]pnienie|dost[eę]p)"),
            // Issue 14, item 7: requests arrive in the languages Kent's families write in; an officer checks each (triage).
            PhraseRule.Text("access request (Romanian)", 0.7, @"\bcopi[ea]\s+(?:a\s+)?(?:tuturor\s+)?datelor\s+(?:mele|personale)|\bacces(?:ul)?\s+la\s+datele\s+(?:mele|personale)"),
            PhraseRule.Text("access request (Lithuanian)", 0.7, @"\bduomen[uų]\b[^.]{0,80}\bkopij|\bkopij\w*\s+(?:mano\s+)?(?:asmens\s+)?duomen|\bsusipa[zž]in\w*\s+su\s+(?:mano\s+)?(?:asmens\s+)?duomen"),
            PhraseRule.Text("access request (Spanish/Portuguese)", 0.7, @"\bc[oó]pia\s+(?:de\s+(?:todos\s+)?(?:mis|los)|dos\s+(?:meus\s+)?)\s*datos?|\bc[oó]pia\s+dos\s+(?:meus\s+)?dados|\bacceso\s+a\s+(?:mis|los)\s+datos|\bacesso\s+aos\s+(?:meus\s+)?dados"),
            PhraseRule.Text("access request (French/German)", 0.7, @"\bcopie\s+de\s+(?:toutes\s+)?mes\s+donn[ée]es|\bacc[eè]s\s+[àa]\s+mes\s+donn[ée]es|\bKopie\s+(?:aller\s+)?meiner\s+(?:personenbezogenen\s+)?Daten|\bAuskunft\s+über\s+(?:meine|die)"),
        ],

        // UK GDPR Art 16: rectification.
        [Right.Rectification] =
        [
            PhraseRule.Text("rectification", 0.9, @"\brectif(?:y|ied|ication)\b"),
            PhraseRule.Text("Article 16", 0.85, @"\b(?:article|art\.?)\s*16\b"),
            PhraseRule.Text("correct the record", 0.8, @"\b(?:correct|amend|update|fix|change|rectify|put\s+right)\s+(?:the|my|his|her|their|this|that|these|those|our\s+client'?s)\s+(?:\w+\s+){0,3}?(?:record|records|data|details|information|entry|entries|name|surname|address|date\s+of\s+birth|file|error|mistake|ethnicity|gender|attendance)\b"),
            PhraseRule.Text("data is wrong", 0.6, @"\b(?:is|are|was|were|has\s+been|have\s+been)\s+(?:recorded\s+|listed\s+|shown\s+)?(?:incorrect(?:ly)?|inaccurate(?:ly)?|wrong(?:ly)?|misspelt|misspelled|out\s+of\s+date|not\s+correct)\b"),
            PhraseRule.Text("please correct", 0.7, @"\bplease\s+(?:can\s+you\s+)?(?:correct|amend|update|fix|put\s+right)\b"),
            PhraseRule.Text("that is not true", 0.6, @"\b(?:that|this|it)\s+is\s+(?:not\s+true|untrue|incorrect|wrong|false|not\s+right)\b"),
            PhraseRule.Text("needs to be put right", 0.7, @"\bneeds?\s+to\s+be\s+(?:put\s+right|corrected|changed|amended|updated|fixed)\b"),
            PhraseRule.Text("incorrect record", 0.6, @"\b(?:incorrect|inaccurate|wrong)\s+(?:attendance|record|records|information|data|details|entry|name|address|date)"),
        ],

        // UK GDPR Art 17: erasure.
        [Right.Erasure] =
        [
            PhraseRule.Text("right to erasure", 0.95, @"\bright\s+to\s+(?:erasure|be\s+forgotten)\b"),
            PhraseRule.Text("Article 17", 0.85, @"\b(?:article|art\.?)\s*17\b"),
            PhraseRule.Text("erasure", 0.8, @"\berasure\b"),
            PhraseRule.Text("delete the data", 0.75, @"\b(?:delete|erase|destroy|wipe|purge|remove)\s+(?:all\s+(?:of\s+)?|any\s+|the\s+|this\s+|that\s+|these\s+|those\s+)?(?:my|his|her|their|our|everything|all|any)\b"),
            PhraseRule.Text("delete the record", 0.75, @"\b(?:delete|erase|destroy|wipe|purge|shred)\s+(?:\w+\s+){0,3}?(?:data|information|records?|details|files?|notes|photo(?:graph)?s?|pictures?|images?|videos?|entry|entries|reports?|referrals?|assessments?)\b"),
            PhraseRule.Text("get rid of the files", 0.75, @"\bget\s+rid\s+of\s+(?:the\s+|my\s+|all\s+|any\s+|those\s+|these\s+)?(?:\w+\s+){0,2}?(?:files?|records?|data|information|notes|details|reports?)\b"),
            PhraseRule.Text("consent withdrawn", 0.4, @"\b(?:no\s+longer|do\s+not|don't)\s+consent\b|\bwithdraw\w*\s+(?:my\s+)?consent\b"),
            PhraseRule.Text("deleted from your systems", 0.8, @"\b(?:deleted|erased|destroyed|removed|wiped|purged)\s+(?:from\s+(?:your|all|the|kcc|council|any)|permanently|completely|entirely|in\s+full)"),
            PhraseRule.Text("wants it deleted", 0.75, @"\b(?:want|like|ask|request|wish|need)\b[^.\n]{0,80}?\b(?:deleted|erased|destroyed|removed\s+from)\b"),
            PhraseRule.Text("deletion of", 0.8, @"\b(?:deletion|removal|erasure|destruction)\s+of\s+(?:my|his|her|the|all|their|our|any)\b"),
            PhraseRule.Text("delete (subject)", 0.6, @"^(?:(?:re|fw|fwd):\s*)?(?:please\s+)?(?:delete|erase|remove)\b"),
            PhraseRule.Text("erasure (Polish)", 0.75, @"\busuni[eę]ci[ea]\s+(?:moich\s+|wszystkich\s+)?danych|\bprawo\s+do\s+bycia\s+zapomnianym|\busu[nń]\s+(?:moje|wszystkie)"),
            PhraseRule.Text("erasure (Welsh)", 0.75, @"\bdileu\s+(?:fy|yr|y|eich|ei)\b"),
            PhraseRule.Text("erasure (Romanian)", 0.75, @"\b[sș]terge(?:[tț]i|rea)?\s+(?:toate\s+)?datel"),
            PhraseRule.Text("erasure (Lithuanian)", 0.75, @"\bi[sš]trin\w*\s+(?:visus\s+)?(?:mano\s+)?(?:asmens\s+)?duomen"),
            PhraseRule.Text("erasure (Spanish/Portuguese/French/German)", 0.75, @"\b(?:borr(?:ar|en|e)|elimin(?:ar|en|e)|supri(?:mir|man))\s+(?:todos\s+)?mis\s+datos|\bsupresi[oó]n\s+de\s+mis\s+datos|\bapag(?:ar|uem)\s+(?:todos\s+)?os\s+meus\s+dados|\bsupprim(?:er|ez)\s+(?:toutes\s+)?mes\s+donn[ée]es|\bL[öo]schung\s+meiner"),
        ],

        // UK GDPR Art 18: restriction.
        [Right.Restriction] =
        [
            PhraseRule.Text("restriction of processing", 0.9, @"\brestrict(?:ion)?\s+(?:of\s+|on\s+)?(?:the\s+)?(?:processing|use)\b"),
            PhraseRule.Text("right to restrict", 0.9, @"\bright\s+to\s+restrict"),
            PhraseRule.Text("Article 18", 0.85, @"\b(?:article|art\.?)\s*18\b"),
            PhraseRule.Text("stop using it until", 0.75, @"\b(?:stop|suspend|pause|freeze|cease)\s+(?:using|processing|the\s+use\s+of|use\s+of|sharing)\s+[^.\n]{0,60}?\b(?:until|while|whilst|pending)\b"),
            PhraseRule.Text("restricted while", 0.7, @"\b(?:not\s+(?:be\s+)?(?:used|shared|processed)|restricted|put\s+on\s+hold|frozen)\s+(?:while|until|whilst|pending)\b"),
            PhraseRule.Text("do not use it while", 0.75, @"\b(?:while|whilst|until|pending)\b[^.\n]{0,80}\b(?:don't|do\s+not|not\s+to|stop)\s+(?:use|using|share|sharing|process\w*)\b|\b(?:don't|do\s+not)\s+(?:use|share|process)\b[^.\n]{0,60}\b(?:until|while|whilst|pending)\b"),
            PhraseRule.Text("restrict the records", 0.7, @"\brestrict\s+(?:access\s+to\s+)?(?:my|his|her|the|their)\s+(?:\w+\s+){0,2}?(?:records?|data|information|file)\b"),
        ],

        // UK GDPR Art 20: portability.
        [Right.Portability] =
        [
            PhraseRule.Text("portability", 0.9, @"\bportab(?:le|ility)\b"),
            PhraseRule.Text("Article 20", 0.85, @"\b(?:article|art\.?)\s*20\b"),
            PhraseRule.Text("machine-readable", 0.7, @"\bmachine[-\s]readable\b"),
            PhraseRule.Text("structured, commonly used", 0.8, @"\bstructured,?\s+commonly[-\s]used\b"),
            PhraseRule.Text("transmit to another organisation", 0.5, @"\b(?:transmit|transfer|send)\s+(?:it|them|the\s+data|my\s+data)?\s*directly\s+to\b"),
        ],

        // UK GDPR Art 21: objection.
        [Right.Objection] =
        [
            PhraseRule.Text("I object", 0.85, @"\b(?:i|we|my\s+client)\s+(?:also\s+|strongly\s+|formally\s+|hereby\s+|wish\s+to\s+|want\s+to\s+|would\s+like\s+to\s+)*objects?\s+to\b"),
            PhraseRule.Text("right to object", 0.85, @"\bright\s+to\s+object\b"),
            PhraseRule.Text("Article 21", 0.85, @"\b(?:article|art\.?)\s*21\b"),
            PhraseRule.Text("objection to the use", 0.85, @"\bobjection\s+to\s+(?:the\s+)?(?:use|using|processing|sharing|you|kent|kcc|my|his|her|being)"),
            PhraseRule.Text("does not want the data used", 0.7, @"\b(?:do\s+not|don't|dont|does\s+not)\s+(?:want|consent\s+to|agree\s+to)\s+(?:my|his|her|our|their)\s+(?:personal\s+)?(?:data|information|details|records)\s+(?:to\s+be\s+|being\s+)?(?:used|shared|processed|analysed|included)"),
            PhraseRule.Text("stop using the data", 0.65, @"\bstop\s+(?:using|processing|sharing|analysing)\s+(?:my|his|her|our|their)\s+(?:personal\s+)?(?:data|information|details|records)\b(?![^.\n]{0,60}\b(?:until|while|whilst|pending)\b)"),
            PhraseRule.Text("opt out", 0.6, @"\bopt(?:ing)?\s+(?:me\s+|him\s+|her\s+|us\s+)?out\s+of\b"),
            PhraseRule.Text("objection (Polish)", 0.8, @"\bsprzeciw\w*\b"),
        ],

        // UK GDPR Art 22: automated decision-making.
        [Right.AutomatedDecision] =
        [
            PhraseRule.Text("automated decision", 0.9, @"\bautomated\s+(?:individual\s+)?decision"),
            PhraseRule.Text("Article 22", 0.85, @"\b(?:article|art\.?)\s*22\b"),
            PhraseRule.Text("solely automated", 0.85, @"\bsolely\s+(?:by\s+)?automat"),
            PhraseRule.Text("decided by a computer", 0.8, @"\b(?:decided|made|scored|assessed|rejected|refused|ranked)\s+(?:\w+\s+)?(?:by|using)\s+(?:a\s+|an\s+|the\s+)?(?:computer|algorithm|software|automated\s+system|automatic\s+system|machine)"),
            PhraseRule.Text("decided automatically", 0.8, @"\b(?:rejected|refused|decided|declined|assessed|scored|turned\s+down)\s+automatically\b|\bautomatic(?:ally)?\s+(?:decision|rejection|refusal)"),
            PhraseRule.Text("how the decision was made", 0.5, @"\bhow\s+(?:the|this|that|my|his|her)\s+decision\s+was\s+(?:made|reached|taken)"),
            PhraseRule.Text("a person to look again", 0.5, @"\b(?:someone|a\s+person|a\s+human|an\s+officer)\s+to\s+(?:look\s+at|review|check|reconsider)\s+(?:it|this|that|the\s+decision)"),
            PhraseRule.Text("human review", 0.6, @"\bhuman\s+(?:review|intervention|being\s+(?:to\s+)?(?:review|look))"),
            PhraseRule.Text("profiling", 0.35, @"\bprofiling\b"),
            PhraseRule.Text("algorithm", 0.3, @"\balgorithm\w*\b"),
        ],

        // DPA 2018 s.164A: complaints to the controller about its handling of personal data.
        [Right.Complaint] =
        [
            PhraseRule.Text("make a complaint", 0.85, @"\b(?:make|making|lodge|lodging|raise|raising|submit|submitting|file|register)\s+a\s+(?:formal\s+)?complaint\b"),
            PhraseRule.Text("formal complaint", 0.85, @"\bformal\s+complaint\b"),
            PhraseRule.Text("wish to complain", 0.85, @"\b(?:wish|want|would\s+like|writing)\s+to\s+complain\b"),
            PhraseRule.Text("complaint about the handling", 0.85, @"\bcomplain(?:t|ing)?\s+(?:about|regarding)\s+(?:how|the\s+way|the\s+handling|your\s+handling|the\s+delay|the\s+council'?s\s+handling)"),
            PhraseRule.Text("escalate as a complaint", 0.85, @"\b(?:escalat\w*|treat\w*|log\w*|record\w*|register\w*)\s+(?:it\s+|this\s+)?as\s+a\s+(?:formal\s+)?complaint\b"),
            PhraseRule.Text("unhappy with the handling", 0.6, @"\b(?:not\s+happy|unhappy|dissatisfied|disappointed)\s+(?:with|about)\s+(?:how|the\s+way)\b"),
            PhraseRule.Text("section 164A", 0.9, @"\b(?:section|s\.?)\s*164A\b"),
            PhraseRule.Subject("complaint in the subject", 0.6, @"^(?:(?:re|fw|fwd):\s*)?(?:formal\s+)?complaint\b"),
            PhraseRule.Text("no response to my request", 0.4, @"\b(?:no|not\s+had\s+a|still\s+not\s+(?:had|received)\s+a?|heard\s+nothing)\s*(?:response|reply|answer)?\s*(?:to|about|regarding)\s+my\s+(?:subject\s+access\s+)?request|\b(?:have|has)\s+not\s+(?:responded|replied|answered)\b"),
        ],
    };

    /// <summary>A complaint under s.164A is about personal data; a complaint about a teacher or a bin is for corporate complaints.</summary>
    public static readonly Regex ComplaintContext = RegexBudget.Create(
        @"\b(?:request|SAR|personal\s+(?:data|information)|my\s+data|data\s+protection|GDPR|breach|privacy|shared\s+my|disclosed|records|information\s+(?:you|the\s+council)|KCC-[A-Z]{3}-\d{4}-\d{6})"
        // Issue 14, item 7: the handling of an earlier right (a correction never made, an objection ignored) is a s.164A matter.
        + @"|\b(?:my|his|her|our)\s+(?:personal\s+)?(?:details|objection|(?:sur)?name|address|date\s+of\s+birth)\b|\b(?:corrected|rectif\w+|erased|deleted|objected)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static readonly PhraseRule[] FreedomOfInformation =
    [
        PhraseRule.Text("Freedom of Information", 0.9, @"\bfreedom\s+of\s+information\b"),
        PhraseRule.Text("FOI", 0.85, @"(?-i:\bFOIA?\b)"),
        PhraseRule.Text("Environmental Information Regulations", 0.85, @"\benvironmental\s+information\s+regulations\b"),
        PhraseRule.Text("statistics request", 0.5, @"\bhow\s+many\s+(?:pupils|children|students|requests|staff|schools|exclusions|complaints|people|families)\b"),
    ];

    /// <summary>Signs a request is about a person (the writer, their child, a client), not about the council's statistics.</summary>
    public static readonly Regex PersonalCue = RegexBudget.Create(
        @"\b(?:about|on|of|concerning|regarding|relating\s+to)\s+(?:me|myself|my\s+\w+|him|her|our\s+client)\b|\bmy\s+(?:own\s+)?(?:records|data|information|file|details|personal)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// Issue 14, item 7: marketing and newsletters (a conference advert, a vendor's pitch, a newsletter) mention erasure
    /// or subject access as topics, never as a request from a person about themself. Several of these together, and no
    /// sign of the writer's own data, mean not a request: no case, no acknowledgement, an officer sees it in triage.
    /// </summary>
    public static readonly PhraseRule[] Marketing =
    [
        PhraseRule.Text("unsubscribe", 0.6, @"\bunsubscrib\w*\b|\b(?:opt\s+out\s+of|stop\s+receiving)\s+(?:future\s+|these\s+|our\s+)?(?:mailings|emails|e-?mails|updates|newsletters?|marketing)\b|\bno\s+longer\s+wish\s+to\s+receive\b|\b(?:rather\s+not|don't\s+want\s+to)\s+hear\s+about\b"),
        PhraseRule.Text("why you received it", 0.6, @"\byou\s+(?:are|'re|’re)\s+receiving\s+this\b|\byou\s+received\s+this\s+(?:e-?mail|newsletter|message)\s+because\b"),
        PhraseRule.Text("mailing preferences", 0.5, @"\b(?:manage|update|change)\s+(?:your\s+)?(?:email\s+|mailing\s+|subscription\s+)?preferences\b|\bview\s+(?:this\s+(?:e-?mail|newsletter)\s+)?in\s+(?:your|a)\s+browser\b|\bforward\s+this\s+(?:e-?mail|newsletter|bulletin)\s+to\b"),
        PhraseRule.Text("newsletter", 0.4, @"\bin\s+this\s+(?:issue|edition)\b|\b(?:this|our|the)\s+(?:newsletter|bulletin|e-?bulletin|digest)\b|\bread\s+(?:the\s+full\s+(?:story|stories|article)|more|our\s+summary)\b"),
        PhraseRule.Text("event booking", 0.5, @"\b(?:book|reserve|secure|claim)\s+(?:your|a)\s+(?:free\s+|complimentary\s+)?(?:place|seat|spot|ticket)s?\b|\bsave\s+the\s+date\b|\bearly[-\s]?bird\b|\bregister\s+(?:now|here|today|at|online)\b|\benrol\s+(?:now|today)\b|\bplaces\s+are\s+(?:limited|filling)\b|\bdelegates\b|\bbreakout\b|\b(?:join|see)\s+(?:us|you)\s+(?:at|there)\b"),
        PhraseRule.Text("demo or trial", 0.5, @"\b(?:book|request|schedule|arrange)\s+(?:you\s+)?(?:a\s+)?(?:quick\s+|free\s+|short\s+|live\s+)?demo\b|\bfree\s+(?:\d+[-\s]day\s+)?(?:trial|webinar|consultation|audit)\b|\bwebinars?\b"),
        PhraseRule.Text("asks for a sales call", 0.5, @"\b\d+\s+minutes?\b[^.\n]{0,40}\b(?:call|chat|meeting)\b|\b(?:quick|short|brief)\s+(?:call|chat)\b|\bopen\s+to\s+(?:a\s+)?(?:call|chat|conversation)\b|\bwon't\s+follow\s+up\b|\b(?:isn't|is\s+not)\s+relevant\b|\bnot\s+the\s+right\s+person\b|\breach(?:ing)?\s+out\b"),
        PhraseRule.Text("product", 0.4, @"\bour\s+(?:software|platform|solution|product|tool)s?\b|\b(?:councils|organisations|customers|clients|schools)\s+(?:like\s+yours|using|we\s+work\s+with|we\s+speak\s+to)\b"),
        PhraseRule.Text("sponsorship or appeal", 0.5, @"\bsponsored\s+by\b|\bsponsorship\s+packages?\b|\bdonate\s+(?:today|now|here)\b|\bregistered\s+charity\b|\b(?:group|early)\s+discount\b"),
    ];

    /// <summary>Signs the writer asks about their own (or their child's, or their client's) data: never marketing.</summary>
    public static readonly Regex OwnDataCue = RegexBudget.Create(
        @"\bmy\s+(?:own\s+)?(?:personal\s+)?(?:data|records?|information|file|details)\b|\b(?:about|on|of|concerning|regarding)\s+me\b|\b(?:my|our)\s+(?:\w+\s+)?(?:son|daughter|child|children|sons|daughters)\b|\b(?:our|my)\s+client\b|\bKCC-[A-Z]{3}-\d{4}-\d{6}\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// Issue 14, item 7: in a complaint, the words that name the earlier request it is about ("my SAR", "I asked you to
    /// delete", "your refusal to correct") are background, not a new request. Removed before the rights are scored again.
    /// </summary>
    public static readonly Regex EarlierRequest = RegexBudget.Create(
        @"\b(?:my|our|the|this|that|his|her|their|previous|earlier|original|first|last)\s+(?:\w+\s+){0,2}?(?:subject\s+access\s+request|SARs?|(?:access|erasure|deletion|rectification|correction|objection|data|information|records?)\s+request|request\s+for\s+(?:access|erasure|deletion|correction|my\s+\w+)|right\s+(?:of|to)\s+(?:access|erasure|object)|objection|request)\b"
        + @"|\b(?:I|we)\s+(?:have\s+|had\s+)?(?:already\s+)?(?:asked|requested|applied|wrote|written|made|submitted|sent|objected|emailed)\b[^.!?]{0,160}"
        + @"|\b(?:refus\w*|fail\w*|declin\w*|delay\w*|neglect\w*|decision)\s+(?:to|in|not\s+to)\s+[^.!?\n]{0,80}",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static readonly PhraseRule[] Spam =
    [
        PhraseRule.Text("marketing", 0.8, @"\b(?:unsubscribe|click\s+here|limited\s+time\s+offer|special\s+offer|act\s+now|100%\s+free|risk[-\s]free|no\s+obligation)\b"),
        PhraseRule.Text("scam", 0.85, @"\b(?:bitcoin|crypto(?:currency)?|lottery|you\s+have\s+won|inheritance\s+fund|wire\s+transfer|viagra|casino|seo\s+services|backlinks|verify\s+your\s+account|password\s+will\s+expire)\b"),
    ];

    public static readonly IReadOnlyDictionary<Relationship, PhraseRule[]> RelationshipRules = new Dictionary<Relationship, PhraseRule[]>
    {
        [Relationship.Client] =
        [
            PhraseRule.Text("acts for a client", 0.9, @"\b(?:we|this\s+firm)\s+(?:act|are\s+acting|represent)\b"),
            PhraseRule.Text("acts for a named person", 0.8, @"\bI\s+(?:act|am\s+acting)\s+(?:for|on\s+behalf\s+of)\s+(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b"),
            PhraseRule.Text("instructed by a client", 0.9, @"\bwe\s+(?:are|have\s+been)\s+instructed\s+by\b"),
            PhraseRule.Text("encloses the client's authority", 0.6, @"\b(?:enclose|attach)\w*\s+(?:his|her|their|our\s+client'?s)\s+(?:signed\s+)?(?:authority|consent|mandate)\b"),
            PhraseRule.Text("our client", 0.85, @"\bour\s+client\b|\bmy\s+client\b"),
            PhraseRule.Text("on behalf of our client", 0.9, @"\bon\s+behalf\s+of\s+(?:our|my)\s+client"),
            PhraseRule.Text("form of authority", 0.6, @"\b(?:form|letter)\s+of\s+authority\b|\bsigned\s+authority\b"),
            PhraseRule.Text("solicitors", 0.4, @"\bsolicitors?\b|\bLLP\b"),
        ],
        [Relationship.Child] =
        [
            PhraseRule.Text("my son or daughter", 0.85, @"\bmy\s+(?:\w+\s+)?(?:son|daughter|child|children|stepson|stepdaughter|step-son|step-daughter|boy|girl|kids?|lad|lass|sons|daughters|twins|boys|girls)(?:'s|’s|s'|s’)?\b"),
            // Issue 14, item 7: "I'm Jack's mum", "as the father of Mia", "we are Noah's parents": the child is the subject.
            PhraseRule.Text("the child's parent", 0.85, @"\b(?:as|I\s+am|I'm|I’m|we\s+are|we're|we’re)\s+(?:the\s+|a\s+|his\s+|her\s+|their\s+|(?-i:(?:\p{Lu}[\p{L}'’\-]+\s+){0,2}\p{Lu}[\p{L}\-]+)['’]s?\s+)?(?:birth\s+|adoptive\s+|step-?)?(?:mother|father|mum|mom|mummy|dad|daddy|parents?)\b(?!\s+(?:of\s+)?(?:three|two|four|five|myself))"),
            PhraseRule.Text("guardian with parental responsibility", 0.85, @"\bspecial\s+guardian(?:ship)?\b|\blegal\s+guardian\b|\bguardianship\s+order\b|\b(?:I\s+am|I'm|I’m|as)\s+(?:his|her|their|the\s+child's|(?-i:\p{Lu}[\p{L}\-]+(?:\s+\p{Lu}[\p{L}\-]+)?)['’]s)\s+guardian\b"),
            PhraseRule.Text("my child (other languages)", 0.8, @"\b(?:meri\s+(?:beti|bachi)|mera\s+(?:beta|bacha)|mere\s+(?:bete|bachon?)|mi\s+hij[oa]s?|fiul\s+meu|fiica\s+mea|copilul\s+meu|mano\s+(?:s[uū]n\w*|dukr\w*|vaik\w*)|meu\s+filho|minha\s+filha)\b"),
            PhraseRule.Text("my N-year-old", 0.8, @"\bmy\s+\d{1,2}[-\s]?(?:year|yr)s?[-\s]?old\b"),
            PhraseRule.Text("our son or daughter", 0.8, @"\bour\s+(?:\w+\s+)?(?:son|daughter|child|children)\b"),
            PhraseRule.Text("parental responsibility", 0.8, @"\bparental\s+responsibility\b"),
            PhraseRule.Text("I am the parent", 0.85, @"\bI\s+am\s+(?:his|her|their|the\s+child'?s|the)\s+(?:mother|father|mum|dad|parent|guardian|step-?(?:mother|father|mum|dad)|legal\s+guardian)\b"),
            PhraseRule.Text("on behalf of my child", 0.9, @"\bon\s+behalf\s+of\s+(?:my|our)\s+(?:son|daughter|child|children)"),
            PhraseRule.Text("my child (Polish)", 0.8, @"\bmojego\s+syna\b|\bmojej\s+c[oó]rki\b|\bmoje(?:go)?\s+dziec"),
            PhraseRule.Text("my child (Welsh)", 0.8, @"\bfy\s+(?:mab|merch|mhlentyn|mhlant)\b"),
        ],
        [Relationship.Other] =
        [
            PhraseRule.Text("on behalf of a relative", 0.85, @"\bon\s+behalf\s+of\s+(?:my|our)\s+(?:late\s+)?(?:mother|father|mum|dad|brother|sister|husband|wife|partner|friend|grandson|granddaughter|nephew|niece|aunt|uncle|cousin|foster|service\s+user|constituent)"),
            PhraseRule.Text("grandchild or foster child", 0.9, @"\bmy\s+(?:grandson|granddaughter|grandchild|nephew|niece|foster\s+(?:son|daughter|child))\b"),
            PhraseRule.Text("power of attorney", 0.85, @"\bpower\s+of\s+attorney\b"),
            PhraseRule.Text("acts in a role", 0.7, @"\bI\s+am\s+(?:an?\s+|the\s+|his\s+|her\s+|their\s+)?(?:advocate|social\s+worker|appointee|support\s+worker|key\s+worker|MP|councillor|deputy)\b"),
            // Issue 14, item 7: carers and professionals acting for a child in their care (no parental responsibility).
            PhraseRule.Text("acts for a child in their care", 0.85, @"\b(?:(?:I|we)\s*(?:am|'m|’m|are|'re|’re|have\s+been|'ve\s+been|’ve\s+been|became|become)|as)\s+(?:an?\s+|the\s+|his\s+|her\s+|their\s+|(?-i:(?:\p{Lu}[\p{L}\-]+\s+){0,2}\p{Lu}[\p{L}\-]+)['’]s\s+)?(?:approved\s+|registered\s+)?(?:foster|kinship|connected|family\s+and\s+friends)\s+(?:carers?|parents?|mum|mother|dad|father)\b|\b(?:I|we)\s+(?:currently\s+)?foster\b|\b(?:in|into)\s+(?:my|our)\s+(?:foster\s+)?care\b|\bfostering\s+(?:him|her|them)\b"),
            PhraseRule.Text("a professional's role", 0.85, @"\b(?:I\s+am|I'm|I’m|as|in\s+my\s+role\s+as)\s+(?:an?\s+|the\s+|his\s+|her\s+|their\s+|(?-i:\p{Lu}[\p{L}\-]+(?:\s+\p{Lu}[\p{L}\-]+)?)['’]s\s+)?(?:allocated\s+|named\s+|registered\s+|residential\s+|independent\s+)?(?:advocate|social\s+worker|appointee|support\s+worker|key\s*worker|personal\s+adviser|reviewing\s+officer|care\s+worker|manager\s+of\s+(?:the\s+|a\s+)?children'?s\s+home|registered\s+manager|(?:foster|kinship)\s+carer|carer)\b"),
            PhraseRule.Text("a relative's records", 0.8, @"\bmy\s+(?:late\s+)?(?:mother|father|mum|dad|brother|sister|husband|wife|partner)'?s?\s+(?:\w+\s+)?(?:records|file|data|information)"),
        ],
        [Relationship.Self] =
        [
            PhraseRule.Text("about me", 0.6, @"\b(?:about|on|concerning|regarding)\s+me\b|\bmy\s+(?:own\s+)?(?:records|data|information|file|personal)\b"),
            PhraseRule.Text("former pupil or care leaver", 0.6, @"\bI\s+(?:was|used\s+to\s+be)\s+(?:a\s+pupil|in\s+care|at\s+school|a\s+student|looked\s+after)|\bwhen\s+I\s+was\b"),
        ],
    };

    // Disclaimers ("if you received this email in error, please delete it") are not requests.
    public static readonly Regex Disclaimer = RegexBudget.Create(
        @"[^.\n]*(?:received\s+this\s+(?:e-?mail|message|communication)\s+in\s+error|intended\s+(?:solely\s+|only\s+)?for\s+the\s+(?:use\s+of\s+the\s+)?(?:addressee|recipient|individual)|this\s+(?:e-?mail|message)\s+(?:and\s+any\s+attachments\s+)?(?:is|are|may\s+be)\s+(?:strictly\s+)?confidential|virus(?:es)?\s+(?:check|scan))[^.\n]*[.\n]?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
