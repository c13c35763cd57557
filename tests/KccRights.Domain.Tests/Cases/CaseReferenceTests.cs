using KccRights.Domain.Cases;

namespace KccRights.Domain.Tests.Cases;

public class CaseReferenceTests
{
    [Test]
    public void ToString_PadsTheNumberToSixDigits()
    {
        Assert.That(new CaseReference(Right.Access, 2026, 42).ToString(), Is.EqualTo("KCC-SAR-2026-000042"));
    }

    [Test]
    public void FindAll_InASubjectLine_FindsEveryReference()
    {
        var found = CaseReference.FindAll("RE: Your request KCC-SAR-2026-000042 (and kcc-era-2026-000043)").ToList();

        Assert.That(found, Is.EqualTo(new[] { new CaseReference(Right.Access, 2026, 42), new CaseReference(Right.Erasure, 2026, 43) }));
    }

    [TestCase("KCC-XYZ-2026-000042")]
    [TestCase("KCC-SAR-2026-42")]
    [TestCase("KCC-SAR-2026-0000421")]
    public void TryParse_WhenMalformed_Fails(string text)
    {
        Assert.That(CaseReference.TryParse(text, out _), Is.False);
    }

    [Test]
    public void EveryRight_HasADistinctCodeAndId()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Rights.All.Select(r => r.Code()), Is.Unique);
            Assert.That(Rights.All.Select(r => r.Id()), Is.Unique);
        });
    }
}
