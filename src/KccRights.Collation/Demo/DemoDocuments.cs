using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using MimeKit;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace KccRights.Collation.Demo;

/// <summary>
/// The demo document share: PDF letters (PDFsharp), DOCX minutes (Open XML SDK) and EML emails (MimeKit) naming people,
/// each citing the identifiers a council's documents cite (EDU-, EH-, CSC-, UPN), so the folder connector can index them.
/// </summary>
internal sealed class DemoDocuments(string folder, int seed, int fillerDocuments)
{
    private static readonly DateTime Fixed = new(2026, 9, 1, 9, 0, 0, DateTimeKind.Utc);
    private readonly Dictionary<string, List<string>> _planted = new(StringComparer.Ordinal);

    /// <summary>Third-party names in the planted people's documents (start -1: a position in extracted text is not stable).</summary>
    public List<PlantedMention> Mentions { get; } = [];

    public void Reset()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
    }

    public void Planted(string key, string fileName)
    {
        if (!_planted.TryGetValue(key, out var list))
        {
            _planted[key] = list = [];
        }

        list.Add(fileName);
    }

    /// <summary>An exclusion letter, written to the share and returned (the school system keeps the same bytes).</summary>
    public (string Name, byte[] Bytes) ExclusionLetter(DemoPerson p, int pupilId, string reference, DateOnly date, string reason, NoteCast cast)
    {
        var (given, family) = p.NameIn("education");
        var name = string.Create(CultureInfo.InvariantCulture, $"EDU-{pupilId} {date:yyyy-MM-dd} exclusion letter {reference}.pdf");
        var bytes = Pdf(
            $"Suspension of {given} {family}",
            [
                $"Dear {cast.Parent},",
                $"Pupil: {given} {family}, born {p.DateOfBirth:dd/MM/yyyy}, UPN {p.Upn}, pupil reference EDU-{pupilId}.",
                $"I am writing to tell you that {given} has been suspended from {p.School} from {date:d MMMM yyyy} for a fixed period. Reason: {reason}.",
                $"The incident involved another pupil, {cast.OtherChild}. You may make representations to the governing board.",
                $"Yours sincerely, {cast.Worker.Name}, {cast.Worker.Role}",
            ]);
        File.WriteAllBytes(Path.Combine(folder, name), bytes);
        Mention(p, name, (cast.Parent, "family"), (cast.OtherChild, "child"), (cast.Worker.Name, "professional"));
        return (name, bytes);
    }

    /// <summary>Writes the rest of the share; returns the files written about each planted person.</summary>
    public Dictionary<string, List<string>> Write(DemoWorld world)
    {
        var professionals = world.Professionals;
        for (var i = 0; i < world.Pupils.Count; i++)
        {
            var p = world.Pupils[i];
            if (p.Planted is { } planted)
            {
                var r = new DemoRandom(seed, 901, i);
                Planted(planted.Key, AttendanceLetter(p, DemoWorld.PupilId(i), professionals[r.Next(professionals.Count)]));
            }
        }

        for (var i = 0; i < world.EarlyHelp.Count; i++)
        {
            var p = world.EarlyHelp[i];
            if (p.Planted is { IsSubject: true } planted)
            {
                var r = new DemoRandom(seed, 902, i);
                Planted(planted.Key, Minutes(world, p, DemoWorld.ClientNo(i), professionals[r.Next(professionals.Count)], professionals[r.Next(professionals.Count)]));
            }
        }

        for (var i = 0; i < world.SocialCare.Count; i++)
        {
            var p = world.SocialCare[i];
            if (p.Planted is { IsSubject: true } planted)
            {
                var r = new DemoRandom(seed, 903, i);
                Planted(planted.Key, Email(p, DemoWorld.SocialCareId(i), professionals[r.Next(professionals.Count)], professionals[r.Next(professionals.Count)], world.OtherChildren[r.Next(world.OtherChildren.Count)]));
            }
        }

        // Filler documents: letters, minutes and emails about filler people, a third each.
        var fr = new DemoRandom(seed, 904, 0);
        for (var k = 0; k < fillerDocuments / 3 && world.Pupils.Count > 0; k++)
        {
            var i = fr.Next(world.Pupils.Count);
            if (world.Pupils[i].Planted is null)
            {
                AttendanceLetter(world.Pupils[i], DemoWorld.PupilId(i), professionals[fr.Next(professionals.Count)]);
            }

            var j = fr.Next(world.EarlyHelp.Count);
            if (world.EarlyHelp[j].Planted is null)
            {
                Minutes(world, world.EarlyHelp[j], DemoWorld.ClientNo(j), professionals[fr.Next(professionals.Count)], professionals[fr.Next(professionals.Count)]);
            }

            var s = fr.Next(world.SocialCare.Count);
            if (world.SocialCare[s].Planted is null && !world.SocialCare[s].Adult)
            {
                Email(world.SocialCare[s], DemoWorld.SocialCareId(s), professionals[fr.Next(professionals.Count)], professionals[fr.Next(professionals.Count)], world.OtherChildren[fr.Next(world.OtherChildren.Count)]);
            }
        }

        return _planted;
    }

    private string AttendanceLetter(DemoPerson p, int pupilId, Professional worker)
    {
        var (given, family) = p.NameIn("education");
        var name = string.Create(CultureInfo.InvariantCulture, $"EDU-{pupilId} attendance letter.pdf");
        File.WriteAllBytes(Path.Combine(folder, name), Pdf(
            $"Attendance of {given} {family}",
            [
                $"Dear {p.Mother},",
                $"Re: {given} {family} (UPN {p.Upn}), {p.School}.",
                $"{given}'s attendance this term has fallen below 90%. Please contact {worker.Name}, {worker.Role}, to arrange a meeting.",
                "Kent County Council, Education Services",
            ]));
        Mention(p, name, (p.Mother, "family"), (worker.Name, "professional"));
        return name;
    }

    private string Minutes(DemoWorld world, DemoPerson p, int clientNo, Professional chair, Professional other)
    {
        var (given, family) = p.NameIn("early-help");
        var name = string.Create(CultureInfo.InvariantCulture, $"EH-{clientNo} team around the family minutes.docx");
        var lines = new List<string>
        {
            $"Team Around the Family meeting: {given} {family} (EH-{clientNo})",
            $"Present: {p.Mother} (mother), {chair.Name} ({chair.Role}, chair), {other.Name} ({other.Role}).",
            $"{given} has been attending more regularly. {p.Father} (father) sent apologies.",
        };
        if (world.RelativeOf(p) is { } relative)
        {
            lines.Add($"{relative.Name} ({relative.Relation}) is also supported by the family worker.");
        }

        lines.Add("Actions: review in six weeks.");
        Mention(p, name, [(p.Mother, "family"), (chair.Name, "professional"), (other.Name, "professional"), (p.Father, "family"), .. world.RelativeOf(p) is { } r ? new[] { (r.Name, "family") } : []]);
        var path = Path.Combine(folder, name);
        using (var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(lines.Select(l => new Paragraph(new Run(new Text(l) { Space = SpaceProcessingModeValues.Preserve })))));
            main.Document.Save();
        }

        return name;
    }

    private string Email(DemoPerson p, long personId, Professional from, Professional to, string otherChild)
    {
        var (given, family) = p.NameIn("social-care");
        var name = string.Create(CultureInfo.InvariantCulture, $"CSC-{personId} email from school.eml");
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(from.Name, "dsl@school.example.org"));
        message.To.Add(new MailboxAddress(to.Name, "duty.team@kent.example.gov.uk"));
        message.Subject = string.Create(CultureInfo.InvariantCulture, $"Concern about {given} {family} (CSC-{personId})");
        message.Date = new DateTimeOffset(Fixed);
        message.MessageId = string.Create(CultureInfo.InvariantCulture, $"csc-{personId}@school.example.org");
        message.Body = new TextPart("plain")
        {
            Text = $"Hello,\n\n{given} {family} (born {p.DateOfBirth:dd/MM/yyyy}) came into school upset today after an argument at home with {p.Father}. " +
                $"{given} also mentioned a fight with {otherChild}.\n\nRegards,\n{from.Name}\n{from.Role}\n",
        };
        message.WriteTo(Path.Combine(folder, name));
        Mention(p, name, (from.Name, "professional"), (to.Name, "professional"), (p.Father, "family"), (otherChild, "child"));
        return name;
    }

    private void Mention(DemoPerson p, string fileName, params (string Name, string Kind)[] names)
    {
        if (p.Planted is not null)
        {
            Mentions.AddRange(names.Select(n => new PlantedMention("documents", "files", fileName, n.Name, n.Kind, -1)));
        }
    }

    private static byte[] Pdf(string title, IReadOnlyList<string> paragraphs)
    {
        DemoFonts.EnsureResolver();
        using var document = new PdfDocument();
        document.Info.Title = title;
        document.Info.Author = "Kent County Council";
        document.Info.CreationDate = Fixed;
        document.Info.ModificationDate = Fixed;

        // The same letter gives the same bytes (the file ID is random by default), so the demo data is deterministic.
        var id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', paragraphs.Prepend(title))))[..16]);
        document.Internals.FirstDocumentID = id;
        document.Internals.SecondDocumentID = id;
        var page = document.AddPage();
        using (var gfx = XGraphics.FromPdfPage(page))
        {
            var font = new XFont(DemoFonts.Family, 11);
            var bold = new XFont(DemoFonts.Family, 14, XFontStyleEx.Bold);
            var y = 60.0;
            gfx.DrawString(title, bold, XBrushes.Black, new XPoint(50, y));
            y += 30;
            foreach (var paragraph in paragraphs)
            {
                foreach (var line in Wrap(paragraph, 90))
                {
                    gfx.DrawString(line, font, XBrushes.Black, new XPoint(50, y));
                    y += 15;
                }

                y += 8;
            }
        }

        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length + word.Length + 1 > width && line.Length > 0)
            {
                yield return line;
                line = "";
            }

            line = line.Length == 0 ? word : $"{line} {word}";
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }
}

/// <summary>DejaVu Sans from the machine's fonts (Debian fonts-dejavu-core) for the demo letters.</summary>
internal sealed class DemoFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private static readonly System.Threading.Lock Gate = new();
    private static readonly string[] Folders = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"];

    /// <summary>
    /// PDFsharp's font resolver is process-wide and may not change once used, so the demo letters use the document
    /// engine's (the same DejaVu faces, embedded): a response rendered later in the same process finds it in place
    /// (setting our own here made the first render after demo documents fail: "You must not change font resolver").
    /// </summary>
    public static void EnsureResolver() => KccRights.Documents.Layout.DocumentFonts.EnsureRegistered();

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "DejaVuSans-Bold" : "DejaVuSans");

    public byte[]? GetFont(string faceName)
    {
        foreach (var folder in Folders)
        {
            var file = Path.Combine(folder, faceName + ".ttf");
            if (File.Exists(file))
            {
                return File.ReadAllBytes(file);
            }
        }

        throw new FileNotFoundException($"{faceName}.ttf was not found in {string.Join(" or ", Folders)}: apt-get install fonts-dejavu-core");
    }
}
