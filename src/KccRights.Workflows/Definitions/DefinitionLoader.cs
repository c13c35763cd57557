using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Json.Schema;
using KccRights.Domain.Cases;
using KccRights.Workflows.Validation;

namespace KccRights.Workflows.Definitions;

/// <summary>A definition read from its file, with its version: the SHA-256 of the file's text (line ends normalised to LF).</summary>
public sealed record LoadedDefinition(string File, WorkflowDefinition Definition, string Version, string Content);

/// <summary>The definitions of a directory, or the errors that stop them being used.</summary>
public sealed record DefinitionSet(IReadOnlyList<LoadedDefinition> Definitions, IReadOnlyList<DefinitionError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    public LoadedDefinition? Find(string id) => Definitions.FirstOrDefault(d => d.Definition.Id == id);
}

/// <summary>
/// Reads workflows/*.json: JSON syntax, then the generated schema, then the model, then <see cref="DefinitionValidator"/>.
/// Every error names the file and the JSON path.
/// </summary>
public static class DefinitionLoader
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(WorkflowSchema.Generate()));

    /// <summary>The definitions directory beside the executable (copied there at build), unless configured.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "workflows");

    public static DefinitionSet LoadDirectory(string directory, WorkflowCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (!Directory.Exists(directory))
        {
            return new DefinitionSet([], [new DefinitionError(directory, "$", "the workflow definitions directory does not exist")]);
        }

        var definitions = new List<LoadedDefinition>();
        var errors = new List<DefinitionError>();
        var files = Directory.GetFiles(directory, "*.json")
            .Where(f => !string.Equals(Path.GetFileName(f), WorkflowSchema.FileName, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            errors.Add(new DefinitionError(directory, "$", "no workflow definitions (*.json) in the directory"));
        }

        foreach (var file in files)
        {
            var (loaded, fileErrors) = LoadFile(file, catalog);
            errors.AddRange(fileErrors);
            if (loaded is not null)
            {
                definitions.Add(loaded);
            }
        }

        // Each right is run by one definition: a case of that right must know which workflow to start.
        var owners = new Dictionary<Right, string>();
        foreach (var loaded in definitions)
        {
            for (var i = 0; i < loaded.Definition.Rights.Count; i++)
            {
                var right = loaded.Definition.Rights[i];
                if (!owners.TryAdd(right, loaded.Definition.Id))
                {
                    errors.Add(new DefinitionError(loaded.File, string.Create(CultureInfo.InvariantCulture, $"$.rights[{i}]"), $"right '{right.Id()}' is already run by definition '{owners[right]}'"));
                }
            }
        }

        return new DefinitionSet(definitions, errors);
    }

    public static (LoadedDefinition? Definition, IReadOnlyList<DefinitionError> Errors) LoadFile(string file, WorkflowCatalog catalog)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, [new DefinitionError(file, "$", $"cannot read the file: {ex.Message}")]);
        }

        return Parse(text, file, catalog);
    }

    public static (LoadedDefinition? Definition, IReadOnlyList<DefinitionError> Errors) Parse(string text, string file, WorkflowCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.ReplaceLineEndings("\n");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, [new DefinitionError(file, ex.Path ?? "$", string.Create(CultureInfo.InvariantCulture, $"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {FirstSentence(ex.Message)}"))]);
        }

        using (document)
        {
            var schemaErrors = SchemaErrors(document.RootElement, file);
            if (schemaErrors.Count > 0)
            {
                return (null, schemaErrors);
            }

            WorkflowDefinition definition;
            try
            {
                definition = document.RootElement.Deserialize<WorkflowDefinition>(WorkflowJson.Options)
                    ?? throw new JsonException("the file is null", "$", null, null);
            }
            catch (JsonException ex)
            {
                return (null, [new DefinitionError(file, ex.Path ?? "$", FirstSentence(ex.Message))]);
            }

            var errors = DefinitionValidator.Validate(definition, file, catalog);
            return errors.Count > 0 ? (null, errors) : (new LoadedDefinition(file, definition, VersionOf(text), text), errors);
        }
    }

    /// <summary>A definition's version: the lower-case hex SHA-256 of its text with LF line ends.</summary>
    public static string VersionOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\n"))));

    /// <summary>Parses a definition already known to be valid (a stored version), without the catalog checks.</summary>
    public static WorkflowDefinition ParseStored(string content) =>
        JsonSerializer.Deserialize<WorkflowDefinition>(content, WorkflowJson.Options)
            ?? throw new InvalidOperationException("A stored workflow definition is empty.");

    private static List<DefinitionError> SchemaErrors(JsonElement root, string file)
    {
        var result = Schema.Value.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = new List<DefinitionError>();
        if (result.IsValid)
        {
            return errors;
        }

        foreach (var detail in (IEnumerable<EvaluationResults>?)result.Details ?? [result])
        {
            if (detail.Errors is null)
            {
                continue;
            }

            foreach (var (keyword, message) in detail.Errors)
            {
                var pointer = detail.InstanceLocation.ToString();
                var path = ToJsonPath(pointer);

                // additionalProperties: false reports "fails against the false schema" at the property itself.
                var text = message.Contains("false schema", StringComparison.Ordinal)
                    ? $"schema: unknown property '{pointer[(pointer.LastIndexOf('/') + 1)..]}'"
                    : $"schema: {message} ({keyword})";
                var error = new DefinitionError(file, path, text);
                if (!errors.Contains(error))
                {
                    errors.Add(error);
                }
            }
        }

        if (errors.Count == 0)
        {
            errors.Add(new DefinitionError(file, "$", "does not match workflow.schema.json"));
        }

        return errors;
    }

    /// <summary>A JSON Pointer (<c>/states/3/to</c>) as a JSON path (<c>$.states[3].to</c>).</summary>
    internal static string ToJsonPath(string pointer)
    {
        var builder = new StringBuilder("$");
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                builder.Append('[').Append(segment).Append(']');
            }
            else
            {
                builder.Append('.').Append(segment);
            }
        }

        return builder.ToString();
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
