using KccRights.Cases;
using KccRights.Collation;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Suggestions;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests.Suggestions;

/// <summary>Each detector on recorded inputs, and the subject's own data left alone.</summary>
public sealed class SuggestionEngineTests
{
    private static ReviewItem Note(string text, string system = "early-help", string dataset = "notes", long id = 1, params KeyValuePair<string, string>[] fields) =>
        new(id, "record", system, dataset, $"R{id}", new DateOnly(2024, 1, 2), "Case note", fields, text);

    private static SubjectProfile Subject()
    {
        var profile = new SubjectProfile();
        profile.AddFromRequest(
            new CaseRequestParties { SubjectName = "Daniel Okafor", RequesterName = "Daniel Okafor", RequesterEmail = "daniel.okafor@example.com" },
            new CaseRequestDetails { SubjectDob = new DateOnly(1997, 3, 14), PreviousNames = ["Mensah"], Upn = "Q886402899112", Address = "22 Pier Road, Margate", Postcode = "CT9 1AB" });
        return profile;
    }

    private static List<Suggestion> Run(string text, IReadOnlyList<KnownPerson>? others = null) =>
        SuggestionEngine.Suggest([Note(text)], Subject(), others ?? []).Where(s => s.Action != SuggestionAction.Consider).ToList();

    private static string Covered(string text, Suggestion s) => text.Substring(s.Start, s.Length);

    [Test]
    public void Phone_UkNumbers_AreRedactedAsThirdPartyData()
    {
        const string text = "Mum can be reached on 07700 900123 or the landline 01227 123456; case ref 20240112.";
        var phones = Run(text).Where(s => s.Kind == "phone").ToList();
        Assert.That(phones.Select(s => Covered(text, s)), Is.EqualTo(new[] { "07700 900123", "01227 123456" }));
        Assert.That(phones, Has.All.Matches<Suggestion>(s => s.Action == SuggestionAction.Redact && s.Code == "TP" && s.Field == null && s.Reason.Contains("Sch 2 para 16", StringComparison.Ordinal)));
    }

    [Test]
    public void Email_ThirdPartyRedacted_WorkAddressDisclosed_RequestersOwnLeftAlone()
    {
        const string text = "Copied to sarah.jones77@gmail.com and dsl@hartsdown.kent.sch.uk; reply to daniel.okafor@example.com.";
        var found = Run(text).Where(s => s.Kind.Contains("email", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(found.Single(s => s.Action == SuggestionAction.Redact).Start, Is.EqualTo(text.IndexOf("sarah.jones77", StringComparison.Ordinal)));
            Assert.That(Covered(text, found.Single(s => s.Action == SuggestionAction.NormallyDisclose)), Is.EqualTo("dsl@hartsdown.kent.sch.uk"));
            Assert.That(found.Any(s => Covered(text, s).StartsWith("daniel.okafor", StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public void NhsNumber_OnlyWithAValidCheckDigit()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Identifiers.IsNhsNumber("943 476 5919"), Is.True);
            Assert.That(Identifiers.IsNhsNumber("9434765918"), Is.False);
            Assert.That(Identifiers.IsNhsNumber("4010232137"), Is.True);
            Assert.That(Identifiers.IsNhsNumber("4010232138"), Is.False);
        });
        const string text = "Sibling NHS number 943 476 5919; misheard as 943 476 5918.";
        var nhs = Run(text).Where(s => s.Kind == "nhs-number").ToList();
        Assert.That(nhs.Select(s => Covered(text, s)), Is.EqualTo(new[] { "943 476 5919" }));
    }

    [Test]
    public void Upn_CheckLetterAgreesWithCollations_AndOnlyAnotherPupilsIsSuggested()
    {
        for (var serial = 0; serial < 2000; serial += 7)
        {
            var upn = Upns.Make(886, 400000000 + serial * 131);
            var wrong = (upn[0] == 'A' ? 'B' : 'A') + upn[1..];
            Assert.That((Identifiers.IsUpn(upn), Identifiers.IsUpn(wrong)), Is.EqualTo((true, Upns.IsValid(wrong))), upn);
        }

        var other = Upns.Make(886, 123456789);
        var text = $"Subject UPN Q886402899112, another pupil {other}, a typo Z{other[1..]}.";
        var upns = Run(text).Where(s => s.Kind == "upn").ToList();
        Assert.That(upns.Select(s => Covered(text, s)), Is.EqualTo(Upns.IsValid("Z" + other[1..]) ? new[] { other, "Z" + other[1..] } : new[] { other }));
    }

    [Test]
    public void Address_AnotherAddressWithItsPostcode_IsRedacted_TheSubjectsIsNot()
    {
        const string text = "Now living at 14 Station Road, Ashford TN23 1AA with her aunt; previously 22 Pier Road, Margate CT9 1AB. Dad moved to ME14 1QT.";
        var addresses = Run(text).Where(s => s.Kind is "address" or "postcode").ToList();
        Assert.That(addresses.Select(s => Covered(text, s)), Is.EqualTo(new[] { "14 Station Road, Ashford TN23 1AA", "ME14 1QT" }));
    }

    [Test]
    public void Names_WithTitlesRelationsAndBrackets_AreRedacted()
    {
        const string text = "Mrs Patel phoned. Mum (Sarah Jones) attended; sister Amy stayed home. Dear Mr Smith, thank you.";
        var names = Run(text).Where(s => s.Action == SuggestionAction.Redact).Select(s => (Covered(text, s), s.Kind)).ToList();
        Assert.That(names, Is.EqualTo(new[] { ("Mrs Patel", "name"), ("Sarah Jones", "family-member"), ("Amy", "family-member"), ("Mr Smith", "name") }));
    }

    [Test]
    public void Professionals_InRole_AreNormallyDisclosed_WithTheSch2Para17Reason()
    {
        const string text = "Discussed with Jane Whitfield, social worker, and Tom Baker (SENCo). PC Hollis attended. Next session booked with Jane Whitfield.";
        var all = SuggestionEngine.Suggest([Note(text, fields: new KeyValuePair<string, string>("worker", "Alan Price"))], Subject(), [])
            .Where(s => s.Action != SuggestionAction.Consider).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.All.Matches<Suggestion>(s => s.Action == SuggestionAction.NormallyDisclose && s.Code == null && s.Reason.Contains("Sch 2 para 17", StringComparison.Ordinal)));
            Assert.That(all.Where(s => s.Field is null).Select(s => Covered(text, s)), Is.EqualTo(new[] { "Jane Whitfield", "Tom Baker", "Hollis", "Jane Whitfield" }));
            Assert.That(all.Single(s => s.Field == "worker").Length, Is.EqualTo("Alan Price".Length));
        });
    }

    [Test]
    public void Names_OfPlacesAndOrganisations_AndPeopleActingForTheService_AreNotRedacted()
    {
        const string text = "Next Steps: Key Stage 2 Review. Re: Fulston Manor School and Kent County Council. Please contact Rudy Swift,\nyouth justice\nofficer. A meeting was arranged by Lazaro Davis. Seen with Amy Brooks near Mill Lane; a fight with Lane VonRueden.";
        var found = Run(text);
        Assert.That(found.Select(s => (Covered(text, s), s.Action)), Is.EqualTo(new[]
        {
            ("Rudy Swift", SuggestionAction.NormallyDisclose), ("Lazaro Davis", SuggestionAction.NormallyDisclose), ("Amy Brooks", SuggestionAction.Redact), ("Lane VonRueden", SuggestionAction.Redact),
        }));
    }

    [Test]
    public void KnownPeople_FromTheSystems_AreRedactedWhereverTheyAppear_InAnyCase()
    {
        const string text = "DANIELLE OKAFOR rang the office. Daniel Okafor was seen alone.";
        var found = Run(text, [new KnownPerson("early-help", "20002", "Danielle", "Okafor", "family member")]);
        Assert.That(found.Select(s => (Covered(text, s), s.Kind)), Is.EqualTo(new[] { ("DANIELLE OKAFOR", "known-person") }));
        Assert.That(found[0].Reason, Does.Contain("early-help").And.Contain("family member"));
    }

    [Test]
    public void SubjectsOwnData_InFieldsAndText_IsNotSuggested()
    {
        var pupil = new ReviewItem(5, "record", "education", "pupils", "100001", null, "Pupil record",
        [
            new("forename", "Daniel"), new("surname", "Mensah"), new("upn", "Q886402899112"), new("address_line1", "22 Pier Road"),
            new("postcode", "CT9 1AB"), new("date_of_birth", "1997-03-14"), new("school_name", "Hartsdown Academy"),
        ], "");
        const string text = "Daniel Mensah (UPN Q886402899112) of 22 Pier Road, Margate CT9 1AB emailed from daniel.okafor@example.com. Daniel Okafor attended.";
        var note = Note(text, id: 6);
        var found = SuggestionEngine.Suggest([pupil, note], Subject(), []).Where(s => s.Action != SuggestionAction.Consider).ToList();
        Assert.That(found, Is.Empty, string.Join("; ", found.Select(s => $"{s.Field} {s.Kind} {s.Start}")));
    }

    [Test]
    public void Prompts_BySystemDatasetAndWords_AreWholeItemConsiderations()
    {
        var items = new[]
        {
            Note("Seen at home.", "social-care", "case-notes", 1),
            Note("Attendance fell.", "education", "attendance", 2),
            Note("Inhaler kept in the office.", "education", "medical-notes", 3),
            Note("Plan reviewed.", "send", "ehc-plans", 4),
            Note("The adoption panel met; placement order granted.", "social-care", "plans", 5),
        };
        var prompts = SuggestionEngine.Suggest(items, Subject(), []).Where(s => s.Action == SuggestionAction.Consider).ToList();
        string[] CodesOf(long id) => prompts.Where(p => p.ItemId == id).Select(p => p.Code!).OrderBy(c => c, StringComparer.Ordinal).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(prompts, Has.All.Matches<Suggestion>(p => p.Start == 0 && p.Length == 0 && p.Field == null));
            Assert.That(CodesOf(1), Is.EqualTo(new[] { "SOCIAL" }));
            Assert.That(CodesOf(2), Is.EqualTo(new[] { "EDU" }));
            Assert.That(CodesOf(3), Is.EqualTo(new[] { "EDU", "HEALTH" }));
            Assert.That(CodesOf(4), Is.EqualTo(new[] { "EDU", "SEN" }));
            Assert.That(CodesOf(5), Is.EqualTo(new[] { "ADOPT", "SOCIAL" }));
            Assert.That(prompts.Single(p => p.Code == "SOCIAL" && p.ItemId == 1).Reason, Does.Contain("Sch 3 Part 3"));
            Assert.That(prompts.Single(p => p.Code == "HEALTH").Reason, Does.Contain("Sch 3 Part 2"));
            Assert.That(prompts.Single(p => p.Code == "ADOPT").Reason, Does.Contain("Sch 4"));
        });
    }

    [Test]
    public void Suggestions_HaveStableIds_AndNeverOverlapInOneText()
    {
        const string text = "Mum (Sarah Jones, 07700 900123, sarah.jones77@gmail.com) lives at 3 Mill Lane, Deal CT14 6AB. Sarah Jones rang.";
        var others = new[] { new KnownPerson("social-care", "5000002", "Sarah", "Jones", "adult at the same address") };
        var first = Run(text, others);
        var second = Run(text, others);
        Assert.That(first.Select(s => s.Id), Is.EqualTo(second.Select(s => s.Id)));
        Assert.That(first.Select(s => s.Id).Distinct().Count(), Is.EqualTo(first.Count));
        var ordered = first.OrderBy(s => s.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.That(ordered[i].Start, Is.GreaterThanOrEqualTo(ordered[i - 1].Start + ordered[i - 1].Length), "overlap");
        }

        Assert.That(first.Count(s => s.Kind == "known-person"), Is.EqualTo(2));
    }
}
