using KccRights.Workflows.Runtime;

namespace KccRights.Cases;

/// <summary>
/// The human task types of a case's stages (PRODUCT.md), registered by the Cases module until the stage's own module
/// takes its types over (collation, disclosure: issues 11 and 13).
/// </summary>
public static class CaseTaskTypes
{
    public static IReadOnlyList<HumanTaskType> All { get; } =
    [
        new("triage", "Confirm the right(s), the subject, and whether identity or scope is in doubt"),
        new("identity-check", "Check the ID or authority supplied (UK GDPR Art 12(6))"),
        new("clarification-review", "Read the requester's answer and agree the scope (Art 12A(5))"),
        new("disclosure-review", "Disclose, redact or withhold every item, each with an exemption code"),
        new("redaction-check", "A second officer checks the redactions (four eyes)", SignOff: true),
        new("draft-response", "Prepare the response or the refusal with reasons"),
        new("dpo-sign-off", "The DPO approves or returns a response, refusal or extension", SignOff: true),
        new("rectification-assessment", "Decide whether the data is inaccurate or incomplete (Art 16)"),
        new("record-correction", "Correct the record in the source system (Art 16)"),
        new("erasure-assessment", "Decide whether a ground for erasure applies or Art 17(3)(b) disapplies it"),
        new("record-erasure", "Erase the data in the source system (Art 17)"),
        new("restriction-assessment", "Decide whether an Art 18(1) ground applies"),
        new("record-restriction", "Flag the records restricted in the source system (Art 18)"),
        new("portability-assessment", "Decide whether Art 20 applies (consent or contract, automated processing)"),
        new("portability-export", "Export the data the person provided in a structured, machine-readable format (Art 20)"),
        new("objection-assessment", "Weigh compelling legitimate grounds against the objection, per purpose (Art 21)"),
        new("stop-processing", "Stop the processing objected to in the source system (Art 21)"),
        new("automated-decision-review", "Check for solely automated decisions with legal or similar effects (Art 22)"),
        new("human-review", "A person reconsiders the decision (Art 22(3))"),
        new("acknowledge-complaint", "Acknowledge the complaint within 30 days (DPA 2018 s.164A)"),
        new("complaint-investigation", "Investigate the complaint and keep the complainant informed (DPA 2018 s.164A)"),
    ];
}
