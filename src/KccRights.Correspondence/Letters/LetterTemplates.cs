using Fluid;
using Fluid.Values;
using KccRights.Domain.Cases;
using KccRights.Workflows.Reminders;

namespace KccRights.Correspondence.Letters;

/// <summary>
/// The wording of every letter and reminder the workflows send: one Liquid file per template in templates/letters/
/// beside the executable (first line <c>Subject: ...</c>, the rest the plain-text body), editable without a code change.
/// A template may have wording for one right only, <c>NAME.RIGHT.liquid</c> (the response to an erasure request differs
/// from the response to an access request); otherwise <c>NAME.liquid</c> serves every right that sends it. There is no
/// fallback letter: every file is parsed at start, a broken one stops the service, and the workflow definitions are
/// checked against <see cref="Missing"/>, so a definition naming a template with no wording is refused at start.
/// </summary>
public sealed class LetterTemplates : INotificationTemplates
{
    private static readonly FluidParser Parser = new();
    private readonly Dictionary<string, IFluidTemplate> _templates = new(StringComparer.Ordinal);
    private readonly TemplateOptions _options = new();

    public LetterTemplates(string? directory = null)
    {
        Folder = directory ?? Path.Combine(AppContext.BaseDirectory, "templates", "letters");
        if (!Directory.Exists(Folder))
        {
            throw new InvalidOperationException($"The letter templates folder {Folder} is missing.");
        }

        foreach (var path in Directory.GetFiles(Folder, "*.liquid").Order(StringComparer.Ordinal))
        {
            if (!Parser.TryParse(File.ReadAllText(path), out var template, out var error))
            {
                throw new InvalidOperationException($"The letter template {path} is not valid Liquid: {error}");
            }

            _templates[Path.GetFileNameWithoutExtension(path)] = template;
        }
    }

    public string Folder { get; }

    /// <summary>The file names (without .liquid) of the templates loaded.</summary>
    public IReadOnlyCollection<string> Names => _templates.Keys;

    /// <summary>The activities whose letter is worded by the template of their own name (<see cref="RequesterLetterHandler"/>).</summary>
    public IReadOnlySet<string> LetterKinds { get; } = RequesterLetterHandler.Kinds.Append("send-extension-notice").ToHashSet(StringComparer.Ordinal);

    /// <summary>The file that words <paramref name="template"/> for <paramref name="rightId"/>, or null when none does.</summary>
    public string? Resolve(string template, string? rightId)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (rightId is not null && _templates.ContainsKey($"{template}.{rightId}"))
        {
            return $"{template}.{rightId}";
        }

        return _templates.ContainsKey(template) ? template : null;
    }

    public string? Missing(string templateName, Right right) =>
        Resolve(templateName, right.Id()) is null
            ? $"no wording for '{templateName}' for the right '{right.Id()}': add {templateName}.liquid or {templateName}.{right.Id()}.liquid to {Folder}"
            : null;

    /// <summary>
    /// Renders <paramref name="template"/> for the right; a template with no wording is an error, never a generic letter.
    /// <paramref name="undefined"/>, when given, collects every variable the template reads that the model lacks.
    /// </summary>
    public async Task<(string Subject, string Body)> RenderAsync(string template, string? rightId, IReadOnlyDictionary<string, object?> model, ICollection<string>? undefined = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var name = Resolve(template, rightId)
            ?? throw new InvalidOperationException($"No letter template words '{template}' for the right '{rightId}' in {Folder}.");
        var context = new TemplateContext(_options);
        foreach (var (key, value) in model)
        {
            context.SetValue(key, value);
        }

        if (undefined is not null)
        {
            context.Undefined = name =>
            {
                undefined.Add(name);
                return ValueTask.FromResult<FluidValue>(NilValue.Instance);
            };
        }

        var text = (await _templates[name].RenderAsync(context)).Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\n');
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var first = newline < 0 ? text : text[..newline];
        if (!first.StartsWith("Subject:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The letter template {name}.liquid must start with a 'Subject:' line.");
        }

        var body = newline < 0 ? string.Empty : text[(newline + 1)..];

        // Liquid tags on lines of their own leave blank lines behind; a paragraph break is one blank line.
        body = string.Join('\n', body.Split('\n').Select(line => line.TrimEnd()));
        while (body.Contains("\n\n\n", StringComparison.Ordinal))
        {
            body = body.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
        }

        return (first["Subject:".Length..].Trim(), body.Trim() + "\n");
    }
}
