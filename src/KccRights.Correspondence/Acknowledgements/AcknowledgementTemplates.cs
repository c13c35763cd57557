using Fluid;
using Fluid.Values;

namespace KccRights.Correspondence.Acknowledgements;

/// <summary>
/// The acknowledgement wording, from an editable Liquid template in the templates folder beside the executable.
/// The first line is <c>Subject: ...</c>; the rest is the body. Parsed once; a broken template stops the service at start.
/// </summary>
public sealed class AcknowledgementTemplates
{
    public const string FileName = "acknowledgement.liquid";
    private static readonly FluidParser Parser = new();
    private readonly IFluidTemplate _template;
    private readonly TemplateOptions _options = new();

    public AcknowledgementTemplates(string? directory = null)
    {
        var folder = directory ?? Path.Combine(AppContext.BaseDirectory, "templates");
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The acknowledgement template {path} is missing.");
        }

        if (!Parser.TryParse(File.ReadAllText(path), out _template, out var error))
        {
            throw new InvalidOperationException($"The acknowledgement template {path} is not valid Liquid: {error}");
        }
    }

    /// <summary>Renders the acknowledgement; <paramref name="undefined"/>, when given, collects variables the model lacks.</summary>
    public async Task<(string Subject, string Body)> RenderAsync(IReadOnlyDictionary<string, object?> model, ICollection<string>? undefined = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var context = new TemplateContext(_options);
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value);
        }

        if (undefined is not null)
        {
            context.Undefined = name =>
            {
                undefined.Add(name);
                return ValueTask.FromResult<FluidValue>(NilValue.Instance);
            };
        }

        var text = (await _template.RenderAsync(context)).Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\n');
        var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
        var subjectLine = firstLine < 0 ? text : text[..firstLine];
        if (!subjectLine.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("The acknowledgement template must start with a 'Subject:' line.");
        }

        var body = firstLine < 0 ? string.Empty : text[(firstLine + 1)..];
        while (body.Contains("\n\n\n", StringComparison.Ordinal))
        {
            body = body.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
        }

        return (subjectLine["Subject:".Length..].Trim(), body.Trim() + "\n");
    }
}
