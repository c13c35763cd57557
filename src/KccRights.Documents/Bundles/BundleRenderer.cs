using System.Globalization;
using System.Text;
using Fluid;
using KccRights.Documents.Layout;
using KccRights.Documents.Letters;
using KccRights.Domain.Register;

namespace KccRights.Documents.Bundles;

/// <summary>How a bundle is rendered: the cover-letter template and fixed dates for reproducible output.</summary>
public sealed record BundleRenderOptions
{
    /// <summary>Liquid text of the cover letter; null = templates/documents/cover-letter.liquid beside the executable, else the built-in copy.</summary>
    public string? CoverTemplate { get; init; }

    /// <summary>The cover letter's date when the input has no <c>issued</c>; null = today in London.</summary>
    public DateOnly? Today { get; init; }

    /// <summary>The PDF's creation date; null = now.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>What rendering produced: the PDF, its page count and the page each disclosed item starts on.</summary>
public sealed record RenderedBundle(byte[] Pdf, int PageCount, IReadOnlyDictionary<string, int> ItemPages);

/// <summary>
/// Renders the response a requester receives (UK GDPR Art 15): the cover letter, the Art 15(1)-(2) information from the
/// register of processing, the exemptions relied on in general terms (Art 12(4)), a schedule of disclosed items with page
/// numbers, and each disclosed item with its redactions as labelled boxes. Withheld items are not shown. Two passes: the
/// first lays out without drawing to learn where items start, the second prints those page numbers in the schedule (its
/// number column has a fixed width, so the numbers cannot move the pages they describe; a check makes sure).
/// </summary>
public static class BundleRenderer
{
    public const string CoverTemplateFile = "cover-letter.liquid";
    private static readonly FluidParser Parser = new();

    public static RenderedBundle Render(BundleInput input, RegisterOfProcessing register, BundleRenderOptions? options = null)
    {
        options ??= new BundleRenderOptions();
        var cover = CoverLetter(input, options);
        var model = Model(input, register);

        Dictionary<string, int> pages;
        var cache = new LineCache();
        using (var measure = new PdfComposer(Settings(input, options), measureOnly: true, cache))
        {
            Compose(measure, input, register, model, cover, null);
            pages = new Dictionary<string, int>(measure.Anchors, StringComparer.Ordinal);
        }

        using var composer = new PdfComposer(Settings(input, options), cache: cache);
        Compose(composer, input, register, model, cover, pages);
        if (!composer.Anchors.OrderBy(a => a.Key, StringComparer.Ordinal).SequenceEqual(pages.OrderBy(a => a.Key, StringComparer.Ordinal)))
        {
            throw new InvalidOperationException("The schedule's page numbers moved between the layout passes.");
        }

        var count = composer.PageCount;
        using var output = new MemoryStream();
        composer.Save(output);
        var itemPages = model.Items.ToDictionary(i => i.Id, i => pages[AnchorKey(i.Id)], StringComparer.Ordinal);
        return new RenderedBundle(output.ToArray(), count, itemPages);
    }

    /// <summary>The internal redaction log (item, location, start, length, code, action, note) as CSV: never sent to the requester.</summary>
    public static string RedactionLog(BundleInput input)
    {
        var csv = new StringBuilder("item,location,start,length,code,action,note\n");
        foreach (var item in input.Items)
        {
            if (item.Withheld is { } withheld)
            {
                csv.AppendJoin(',', Csv(item.Id), "whole item", "", "", Csv(withheld.Code), "withheld", Csv(withheld.Note ?? "")).Append('\n');
                continue;
            }

            foreach (var r in item.Redactions.OrderBy(r => r.Field is null ? 1 : 0).ThenBy(r => r.Field, StringComparer.Ordinal).ThenBy(r => r.Start))
            {
                csv.AppendJoin(',', Csv(item.Id), Csv(r.Field is null ? "text" : $"field:{r.Field}"),
                    r.Start.ToString(CultureInfo.InvariantCulture), r.Length.ToString(CultureInfo.InvariantCulture),
                    Csv(r.Code), "redacted", Csv(r.Note ?? "")).Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string Csv(string value)
    {
        // A leading =, +, - or @ would be a formula in a spreadsheet: prefix it (OWASP CSV injection).
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    private static DocumentSettings Settings(BundleInput input, BundleRenderOptions options) => new()
    {
        Reference = input.Reference,
        Title = $"Response to subject access request {input.Reference}",
        Timestamp = options.Timestamp,
    };

    private static string AnchorKey(string id) => "item:" + id;

    private sealed record ItemModel(int Number, string Id, string SystemId, string SystemName, string DatasetName, DateOnly Date, string Title,
        IReadOnlyList<(string Key, IReadOnlyList<Inline> Value)> Fields, IReadOnlyList<Inline> Text);

    private sealed record BundleModel(IReadOnlyList<ItemModel> Items, IReadOnlyList<string> ExemptionCodes);

    /// <summary>The disclosed items, grouped by system in order of first appearance, with redactions already applied.</summary>
    private static BundleModel Model(BundleInput input, RegisterOfProcessing register)
    {
        var disclosed = input.Items.Where(i => i.Withheld is null).ToList();
        var systemOrder = disclosed.Select(i => i.System).Distinct().ToList();
        var items = new List<ItemModel>();
        foreach (var item in disclosed.OrderBy(i => systemOrder.IndexOf(i.System)))
        {
            var system = register.Systems.Single(s => s.Id == item.System);
            var dataset = register.FindDataset(item.System, item.Dataset)!;
            var fields = item.Fields.Select(f => (f.Key, Redactions.Apply(f.Value, item.Redactions.Where(r => r.Field == f.Key)))).ToList();
            var text = Redactions.Apply(item.Text, item.Redactions.Where(r => r.Field is null));
            items.Add(new ItemModel(items.Count + 1, item.Id, system.Id, system.Name, dataset.Name, item.Date, item.Title, fields, text));
        }

        var codes = input.Items.SelectMany(i => i.Withheld is { } w ? [w.Code] : i.Redactions.Select(r => r.Code))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(c => ExemptionCatalogue.All.ToList().FindIndex(e => e.Code == c))
            .ToList();
        return new BundleModel(items, codes);
    }

    private static Letter CoverLetter(BundleInput input, BundleRenderOptions options)
    {
        var text = options.CoverTemplate ?? LoadTemplate(CoverTemplateFile);
        if (!Parser.TryParse(text, out var template, out var error))
        {
            throw new InvalidOperationException($"The cover letter template does not parse: {error}");
        }

        var disclosed = input.Items.Count(i => i.Withheld is null);
        var context = new TemplateContext();
        context.SetValue("reference", input.Reference);
        context.SetValue("requester_name", input.Requester.Name);
        context.SetValue("subject_name", input.Subject.Name);
        context.SetValue("on_behalf", !string.Equals(input.Requester.Name.Trim(), input.Subject.Name.Trim(), StringComparison.OrdinalIgnoreCase));
        context.SetValue("received", LetterWriter.FormatDate(input.Received));
        context.SetValue("due", LetterWriter.FormatDate(input.Due));
        context.SetValue("disclosed_count", disclosed);
        context.SetValue("exemptions_used", input.Items.Any(i => i.Withheld is not null || i.Redactions.Count > 0));
        var (subject, body) = Letter.SplitSubject(template.Render(context, NullEncoder.Default));
        return new Letter
        {
            Reference = input.Reference,
            Date = input.Issued ?? options.Today ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"))),
            RecipientName = input.Requester.Name,
            AddressLines = input.Requester.Address,
            Subject = subject,
            Body = body,
        };
    }

    /// <summary>The template beside the executable (editable without a build), else the copy built into this assembly.</summary>
    public static string LoadTemplate(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "templates", "documents", name);
        if (File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        using var stream = typeof(BundleRenderer).Assembly.GetManifestResourceStream($"KccRights.Documents.Templates.{name}")
            ?? throw new FileNotFoundException($"Template '{name}' is neither beside the executable nor built in.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Compose(PdfComposer c, BundleInput input, RegisterOfProcessing register, BundleModel model, Letter cover, Dictionary<string, int>? pages)
    {
        c.Bookmark("Letter");
        LetterWriter.Write(c, cover);

        c.PageBreak();
        c.Bookmark("About your information");
        Article15(c, input, register, model);

        if (model.ExemptionCodes.Count > 0)
        {
            c.Bookmark("Information we have not given you");
            Exemptions(c, model);
        }

        c.PageBreak();
        c.Bookmark("Schedule of records");
        c.Heading("Schedule of records disclosed");
        if (model.Items.Count == 0)
        {
            c.Paragraph("There are no records to disclose.");
        }
        else
        {
            c.Table(
                [
                    new TableColumn("No.", 0.08),
                    new TableColumn("Date", 0.15),
                    new TableColumn("Source", 0.27),
                    new TableColumn("Record", 0.38),
                    new TableColumn("Page", 0.12, AlignRight: true),
                ],
                model.Items.Select(i => (IReadOnlyList<IReadOnlyList<Inline>>)
                [
                    Inlines.Of(i.Number.ToString(CultureInfo.InvariantCulture)),
                    Inlines.Of(i.Date.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"))),
                    Inlines.Of($"{i.SystemName}: {i.DatasetName}"),
                    Inlines.Of(i.Title),
                    // Pass one prints a placeholder as wide as any real number: the column's width is fixed either way.
                    Inlines.Of(pages is null ? "0000" : pages[AnchorKey(i.Id)].ToString(CultureInfo.InvariantCulture)),
                ]));
        }

        string? currentSystem = null;
        var systemMark = 0;
        foreach (var item in model.Items)
        {
            if (item.SystemId != currentSystem)
            {
                currentSystem = item.SystemId;
                c.PageBreak();
                systemMark = c.Bookmark($"Records from {item.SystemName}");
                c.Heading($"Records from {item.SystemName}");
            }

            c.Heading($"{item.Number}. {item.Title}", level: 2);
            c.Anchor(AnchorKey(item.Id));
            c.Bookmark($"{item.Number}. {item.Title}", systemMark);
            var rows = new List<(string, IReadOnlyList<Inline>)>
            {
                ("Source", Inlines.Of($"{item.SystemName}: {item.DatasetName}")),
                ("Date", Inlines.Of(LetterWriter.FormatDate(item.Date))),
            };
            rows.AddRange(item.Fields);
            c.KeyValueTable(rows);
            if (item.Text is [TextRun { Text.Length: 0 }])
            {
                c.Paragraph("(This record has no further text.)");
            }
            else
            {
                c.Paragraph(item.Text);
            }

            c.Space(6);
        }
    }

    private static void Article15(PdfComposer c, BundleInput input, RegisterOfProcessing register, BundleModel model)
    {
        var datasets = model.Items.Select(i => (i.SystemId, Dataset: input.Items.First(x => x.Id == i.Id).Dataset)).Distinct()
            .Select(k => register.FindDataset(k.SystemId, k.Dataset)!).ToList();
        if (datasets.Count == 0)
        {
            datasets = register.Systems.SelectMany(s => s.Datasets).ToList();
        }

        var purposes = register.Purposes.Where(p => datasets.Any(d => d.Purposes.Contains(p.Id))).ToList();
        var categories = register.Categories.Where(k => datasets.Any(d => d.Categories.Contains(k.Id))).ToList();
        var recipients = register.Recipients.Where(k => datasets.Any(d => d.Recipients.Contains(k.Id))).ToList();
        var sources = register.Sources.Where(k => datasets.Any(d => d.Sources.Contains(k.Id))).ToList();
        var retention = register.Retention.Where(k => datasets.Any(d => d.Retention == k.Id)).ToList();

        // UK GDPR Art 15(1): confirmation, then (a)-(h); Art 15(2) does not arise (no transfers abroad in the notice).
        c.Heading("About your information");
        c.Paragraph($"We confirm that {register.Controller.Name} holds personal information about {input.Subject.Name}. This section gives the information that Article 15 of the UK GDPR requires, for the records in this response.");

        c.Heading("Why we use it, and our lawful basis", 2);
        foreach (var p in purposes)
        {
            var bases = string.Join("; ", p.LawfulBases.Select(b => register.LawfulBases.First(x => x.Id == b)).Select(b => $"{b.Article} ({b.Name.ToLowerInvariant()})"));
            var conditions = p.SpecialCategoryConditions.Count == 0 || !categories.Any(k => k.Special) ? "" :
                "; for special category information " + string.Join(", ", p.SpecialCategoryConditions.Select(x => register.SpecialCategoryConditions.First(s => s.Id == x).Article));
            c.Paragraph([new TextRun($"{p.Description}. Lawful basis: {bases}{conditions}.")], indent: 14, bullet: true, spaceAfter: 2);
        }

        c.Heading("What information we hold", 2);
        foreach (var k in categories)
        {
            c.Paragraph([new TextRun(k.Name + (k.Special ? " (special category information)" : ""))], indent: 14, bullet: true, spaceAfter: 2);
        }

        c.Heading("Who we share it with", 2);
        foreach (var k in recipients)
        {
            c.Paragraph([new TextRun(k.Description)], indent: 14, bullet: true, spaceAfter: 2);
        }

        c.Heading("How long we keep it", 2);
        foreach (var k in retention)
        {
            c.Paragraph(k.Description);
        }

        c.Heading("Where it came from", 2);
        foreach (var k in sources)
        {
            c.Paragraph([new TextRun(k.Description)], indent: 14, bullet: true, spaceAfter: 2);
        }

        c.Heading("Automated decision-making", 2);
        c.Paragraph(register.AutomatedDecisionMaking.Description);

        c.Heading("Your rights", 2);
        var objectable = purposes.Any(p => p.LawfulBases.Contains("art6-1-e"));
        c.Paragraph([new TextRun("You have the right to ask us to correct information that is wrong or incomplete (UK GDPR Article 16).")], indent: 14, bullet: true, spaceAfter: 2);
        c.Paragraph([new TextRun("You have the right to ask us to delete information (Article 17). Where we need it to meet a legal obligation or carry out a public task, that right does not apply (Article 17(3)(b)); it does apply to information kept longer than the period above.")], indent: 14, bullet: true, spaceAfter: 2);
        c.Paragraph([new TextRun("You have the right to ask us to restrict how we use information, for example while we check that it is accurate (Article 18).")], indent: 14, bullet: true, spaceAfter: 2);
        c.Paragraph([new TextRun(objectable
            ? "You have the right to object to our use of information that we hold to carry out a public task (Article 21). We will then stop unless we have compelling legitimate grounds, or need it for legal claims."
            : "You have the right to object to our use of information in some circumstances (Article 21).")], indent: 14, bullet: true, spaceAfter: 2);
        c.Paragraph([new TextRun("You have the right to complain to the Information Commissioner's Office: ico.org.uk, 0303 123 1113, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF.")], indent: 14, bullet: true, spaceAfter: 6);
        c.Paragraph($"To use any of these rights, contact the {register.Controller.Contact}. Our Data Protection Officer is at: {register.Controller.DataProtectionOfficer}.");
    }

    private static void Exemptions(PdfComposer c, BundleModel model)
    {
        // UK GDPR Art 12(4): the reasons for not acting, and the right to complain and to a judicial remedy.
        c.Heading("Information we have not given you");
        c.Paragraph("The law allows, and sometimes requires, us not to give you some information. Where we removed information from a record you will see a box such as [Redacted: TP], where the letters name the reason below. We may also have withheld some records. We relied on:");
        foreach (var code in model.ExemptionCodes)
        {
            var e = ExemptionCatalogue.Get(code);
            c.Paragraph([new TextRun($"{e.Code}: ", Bold: true), new TextRun($"{e.Statement} ({e.Provision}.)")], indent: 14, bullet: true, spaceAfter: 3);
        }

        c.Paragraph("If you disagree, you can ask us to review our decision, complain to the Information Commissioner's Office, or apply to a court to enforce your rights (UK GDPR Article 79; Data Protection Act 2018, section 167).");
    }
}
