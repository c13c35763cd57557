namespace KccRights.Documents.Bundles;

/// <summary>An exemption a reviewer relies on (LEGAL-RULES.md section 3), and how the response describes it in general terms.</summary>
public sealed record Exemption(string Code, string Provision, string Statement);

/// <summary>
/// The exemption codes a redaction or a withheld item may carry. The statement is what the requester reads: general terms,
/// never the withheld content or whose it is (Art 12(4) and 15(4): reasons without undermining the exemption).
/// </summary>
public static class ExemptionCatalogue
{
    public static IReadOnlyList<Exemption> All { get; } =
    [
        new("TP", "Data Protection Act 2018, Schedule 2, paragraph 16",
            "Some information identifies other people. We have removed it because they have not agreed to its release and it would not be reasonable to release it without their agreement."),
        new("TP-PRO", "Data Protection Act 2018, Schedule 2, paragraph 17",
            "Some information about professionals acting in their role has been removed where releasing it would not be reasonable in the circumstances."),
        new("HEALTH", "Data Protection Act 2018, Schedule 3, Part 2",
            "Some health information has been withheld because an appropriate health professional advised that releasing it would be likely to cause serious harm to someone's physical or mental health."),
        new("SOCIAL", "Data Protection Act 2018, Schedule 3, Part 3",
            "Some social work information has been withheld because releasing it would be likely to prejudice social work by causing serious harm to someone's physical or mental health."),
        new("EDU", "Data Protection Act 2018, Schedule 3, Part 4",
            "Some education information has been withheld because releasing it would be likely to cause serious harm to someone's physical or mental health."),
        new("ABUSE", "Data Protection Act 2018, Schedule 3, Part 5",
            "Some information about the possible abuse of a child has been withheld because releasing it would not be in the child's best interests."),
        new("ADOPT", "Data Protection Act 2018, Schedule 4",
            "Some information is held in adoption records or reports, which the law does not allow us to release."),
        new("SEN", "Data Protection Act 2018, Schedule 4",
            "Some information is held in special educational needs records whose release is restricted by other law."),
        new("CRIME", "Data Protection Act 2018, Schedule 2, paragraph 2",
            "Some information has been withheld because releasing it would be likely to prejudice the prevention or detection of crime."),
        new("LPP", "Data Protection Act 2018, Schedule 2, paragraph 19",
            "Some information is protected by legal professional privilege."),
        new("REF", "Data Protection Act 2018, Schedule 2, paragraph 24",
            "Some information is a confidential reference given by the council."),
        new("EXAM", "Data Protection Act 2018, Schedule 2, paragraphs 25 and 26",
            "Some information consists of exam scripts, or exam marks that have not yet been announced."),
        new("NOT-PD", "UK GDPR Article 15 (scope)",
            "Some information is not your personal data, so it is outside the scope of your request."),
    ];

    private static readonly Dictionary<string, Exemption> ByCode = All.ToDictionary(e => e.Code, StringComparer.Ordinal);

    public static bool TryGet(string code, out Exemption exemption) => ByCode.TryGetValue(code, out exemption!);

    public static Exemption Get(string code) => ByCode[code];
}
