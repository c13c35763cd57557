namespace KccRights.Disclosure.Suggestions;

/// <summary>What a record's field holds, by its name.</summary>
internal enum FieldKind
{
    /// <summary>A part of the record's own person's name (the subject's: collation fetches only their records).</summary>
    OwnName,

    /// <summary>The record's own person's date of birth.</summary>
    OwnDate,

    /// <summary>The record's own person's address, town or postcode.</summary>
    OwnAddress,

    /// <summary>The record's own person's identifiers (UPN, NHS number, the system's ids).</summary>
    OwnIdentifier,

    /// <summary>A professional named in role: the worker, the author, the lead worker.</summary>
    Role,

    /// <summary>Anything else: searched like free text.</summary>
    Other,
}

/// <summary>Classifies the field names the source systems use (snake case, camel case, words: compared without separators).</summary>
internal static class FieldKinds
{
    private static readonly HashSet<string> Given = new(StringComparer.Ordinal)
    {
        "forename", "forenames", "firstname", "firstnames", "givenname", "givennames", "middlename", "middlenames", "applicantfirst",
        "childforename", "childfirstname", "preferredname",
    };

    private static readonly HashSet<string> Family = new(StringComparer.Ordinal)
    {
        "surname", "lastname", "familyname", "applicantlast", "childsurname", "childlastname", "aliassurname", "formersurname",
        "previoussurname", "previouslastname", "previousfamilyname", "maidenname",
    };

    private static readonly HashSet<string> Dates = new(StringComparer.Ordinal)
    {
        "dob", "dateofbirth", "birthdate", "birthdttm", "applicantdob", "dobyyyymmdd", "childdob",
    };

    private static readonly HashSet<string> Addresses = new(StringComparer.Ordinal)
    {
        "address", "addressline1", "addressline2", "homeaddress", "town", "postcode", "homepostcode", "postalcode", "city",
    };

    private static readonly HashSet<string> Own = new(StringComparer.Ordinal)
    {
        "upn", "nhsnumber", "nhsno", "personid", "pupilid", "clientno", "sendid", "ypid", "uln", "references", "identifiers",
    };

    private static readonly HashSet<string> Role = new(StringComparer.Ordinal)
    {
        "worker", "author", "leadworker", "caseworker", "socialworker", "allocatedworker", "keyworker", "teacher", "classteacher",
        "officer", "caseofficer", "practitioner", "leadprofessional", "recordedby", "writtenby", "enteredby", "createdby",
    };

    public static string Normalise(string key) =>
        new([.. key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    public static FieldKind Of(string key)
    {
        var k = Normalise(key);
        return Given.Contains(k) || Family.Contains(k) ? FieldKind.OwnName
            : Dates.Contains(k) ? FieldKind.OwnDate
            : Addresses.Contains(k) ? FieldKind.OwnAddress
            : Own.Contains(k) ? FieldKind.OwnIdentifier
            : Role.Contains(k) ? FieldKind.Role
            : FieldKind.Other;
    }

    public static bool IsFamily(string key) => Family.Contains(Normalise(key));
}
