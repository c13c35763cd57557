using KccRights.Documents.Bundles;
using KccRights.Domain.Register;

namespace KccRights.Documents.Tests;

/// <summary>Builders for bundle input: redactions are given by the text they cover, so a test names what must vanish.</summary>
internal static class BundleFixtures
{
    public static readonly DateTimeOffset FixedTime = new(2026, 10, 28, 9, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<RegisterOfProcessing> LazyRegister = new(() => RegisterFile.Load());

    public static RegisterOfProcessing Register => LazyRegister.Value;

    public static BundleRenderOptions Options => new() { Today = new DateOnly(2026, 10, 28), Timestamp = FixedTime };

    public static string SampleJson => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bundle-sample.json"));

    public static BundleInput Input(params BundleItem[] items) => new()
    {
        Reference = "SAR-2026-00099",
        Requester = new BundleRequester { Name = "Ms Test Requester", Address = ["1 Test Road", "Canterbury", "CT1 1AA"], Email = "t@example.org" },
        Subject = new BundleSubject { Name = "Ms Test Requester", DateOfBirth = new DateOnly(2008, 1, 2) },
        Received = new DateOnly(2026, 10, 1),
        Due = new DateOnly(2026, 11, 2),
        Items = items,
    };

    public static BundleItem Item(string id, string text, Dictionary<string, string>? fields = null, string system = "education", string dataset = "pupils",
        IReadOnlyList<BundleRedaction>? redactions = null, BundleWithheld? withheld = null, string? title = null) => new()
    {
        Id = id,
        System = system,
        Dataset = dataset,
        Date = new DateOnly(2025, 3, 4),
        Title = title ?? $"Record {id}",
        Fields = fields ?? [],
        Text = text,
        Redactions = redactions ?? [],
        Withheld = withheld,
    };

    /// <summary>A redaction of the first occurrence of <paramref name="covered"/> in the value.</summary>
    public static BundleRedaction Redact(string value, string covered, string code = "TP", string? field = null)
    {
        var start = value.IndexOf(covered, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"'{covered}' is not in the value");
        return new BundleRedaction { Field = field, Start = start, Length = covered.Length, Code = code, Note = "test" };
    }
}
