using System.Text;

namespace KccRights.Collation.Demo;

/// <summary>A third-party name planted in a record's free text: <c>kind</c> is family, professional or child.</summary>
public sealed record PlantedMention(string System, string Dataset, string RecordId, string Mention, string Kind, int Start);

/// <summary>Builds free text and remembers where it planted other people's names.</summary>
internal sealed class NoteBuilder
{
    private readonly StringBuilder _text = new();
    private readonly List<(string Name, string Kind, int Start)> _mentions = [];

    public NoteBuilder Text(string text)
    {
        _text.Append(text);
        return this;
    }

    public NoteBuilder Name(string name, string kind)
    {
        _mentions.Add((name, kind, _text.Length));
        _text.Append(name);
        return this;
    }

    public string Build() => _text.ToString();

    public IEnumerable<PlantedMention> Mentions(string system, string dataset, string recordId) =>
        _mentions.Select(m => new PlantedMention(system, dataset, recordId, m.Name, m.Kind, m.Start));
}

/// <summary>Professionals, in role (normally disclosed, but recorded as third parties so review can decide).</summary>
internal sealed record Professional(string Name, string Role);

/// <summary>What a generated note is about: the subject, a parent, another child, a professional.</summary>
internal readonly record struct NoteCast(string Child, string Parent, string ParentRelation, string OtherChild, Professional Worker, (string Name, string Relation)? Relative);

internal static class DemoText
{
    public static readonly string[] Roles =
    [
        "social worker", "family support worker", "SENCo", "school nurse", "youth justice officer", "educational psychologist",
        "head of year", "designated safeguarding lead", "early help practitioner", "health visitor",
    ];

    public static void CaseNote(NoteBuilder b, NoteCast c, ref DemoRandom r)
    {
        switch (r.Next(4))
        {
            case 0:
                b.Text("Home visit. Seen ").Text(c.Child).Text(" with ").Name(c.Parent, "family").Text($" ({c.ParentRelation}). ")
                    .Text(c.Child).Text(" said things at school were better since moving tutor group. Discussed with ")
                    .Name(c.Worker.Name, "professional").Text($", {c.Worker.Role}, who will follow up.");
                break;
            case 1:
                b.Text("Telephone call from ").Name(c.Worker.Name, "professional").Text($" ({c.Worker.Role}) about ").Text(c.Child)
                    .Text(". Reported a falling-out with ").Name(c.OtherChild, "child").Text(" at lunchtime; ").Name(c.Parent, "family")
                    .Text(" has been informed.");
                break;
            case 2:
                b.Text("Meeting at school. Present: ").Name(c.Parent, "family").Text($" ({c.ParentRelation}), ")
                    .Name(c.Worker.Name, "professional").Text($" ({c.Worker.Role}). ").Text(c.Child)
                    .Text(" is settling and attendance has improved. Agreed to review in six weeks.");
                break;
            default:
                b.Text(c.Child).Text(" attended the session and spoke about friends, including ").Name(c.OtherChild, "child")
                    .Text(". No concerns raised. Next session booked with ").Name(c.Worker.Name, "professional").Text('.'.ToString());
                break;
        }

        if (c.Relative is { } relative)
        {
            b.Text($" {char.ToUpperInvariant(relative.Relation[0])}{relative.Relation[1..]} ").Name(relative.Name, "family").Text(" was also present.");
        }
    }

    public static void Incident(NoteBuilder b, NoteCast c, bool victim)
    {
        if (victim)
        {
            b.Text(c.Child).Text(" reported name-calling by ").Name(c.OtherChild, "child").Text(" in the playground. Witnessed by ")
                .Name(c.Worker.Name, "professional").Text($" ({c.Worker.Role}). Parents informed.");
        }
        else
        {
            b.Text(c.Child).Text(" pushed ").Name(c.OtherChild, "child").Text(" during a dispute over a football. ")
                .Name(c.Parent, "family").Text(" was called and a restorative meeting arranged by ").Name(c.Worker.Name, "professional").Text(".");
        }
    }

    public static void Short(NoteBuilder b, NoteCast c, string topic)
    {
        b.Text(topic).Text(" for ").Text(c.Child).Text(". Reviewed by ").Name(c.Worker.Name, "professional").Text($", {c.Worker.Role}; ")
            .Name(c.Parent, "family").Text(" agreed the plan.");
    }
}
