using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace KccRights.Workflows.Definitions;

/// <summary>
/// Generates workflows/workflow.schema.json from the definition model with System.Text.Json's JsonSchemaExporter, adding
/// the descriptions and the data-annotation constraints (pattern, minimum/maximum, minItems/minLength). The committed
/// file must equal <see cref="Generate"/>: a test fails when it does not (regenerate with <c>kccrights workflows schema</c>).
/// </summary>
public static class WorkflowSchema
{
    public const string FileName = "workflow.schema.json";

    public static JsonNode GenerateNode()
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Annotate,
        };
        var schema = WorkflowJson.Options.GetJsonSchemaAsNode(typeof(WorkflowDefinition), exporter);
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://kccrights.kent.gov.uk/workflows/workflow.schema.json",
            ["title"] = "KCC Rights workflow definition",
        };
        foreach (var (name, value) in schema.AsObject().ToList())
        {
            schema.AsObject().Remove(name);
            root[name] = value;
        }

        return root;
    }

    /// <summary>The schema text exactly as committed: indented, LF line ends, one final newline.</summary>
    public static string Generate() =>
        GenerateNode().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (context.PropertyInfo?.CustomConverter is OneOrManyNamesConverter)
        {
            // A name, or a non-empty list of distinct names (the converter reads both); the pattern below applies to each.
            schema = new JsonObject
            {
                ["type"] = new JsonArray("string", "array", "null"),
                ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = WorkflowNames.IdPattern },
                ["minItems"] = 1,
                ["uniqueItems"] = true,
            };
        }

        if (schema is not JsonObject node)
        {
            return schema;
        }

        var member = context.PropertyInfo?.AttributeProvider;
        var attributes = member is not null
            ? member.GetCustomAttributes(inherit: true)
            : context.PropertyInfo is null ? context.TypeInfo.Type.GetCustomAttributes(inherit: true) : [];

        foreach (var attribute in attributes)
        {
            switch (attribute)
            {
                case DescriptionAttribute d:
                    node.Insert(0, "description", d.Description);
                    break;
                case RegularExpressionAttribute r when Accepts(node, "string"):
                    node["pattern"] = r.Pattern;
                    break;
                case RangeAttribute range:
                    node["minimum"] = JsonValue.Create(Convert.ToInt32(range.Minimum, System.Globalization.CultureInfo.InvariantCulture));
                    node["maximum"] = JsonValue.Create(Convert.ToInt32(range.Maximum, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case MinLengthAttribute min when Accepts(node, "array"):
                    node["minItems"] = min.Length;
                    break;
                case MinLengthAttribute min when Accepts(node, "string"):
                    node["minLength"] = min.Length;
                    break;
            }
        }

        // Properties of a type that disallows unknown members: editors should flag typos too.
        if (context.PropertyInfo is null && Accepts(node, "object") && node.ContainsKey("properties") && !node.ContainsKey("additionalProperties"))
        {
            node["additionalProperties"] = false;
        }

        return node;
    }

    private static bool Accepts(JsonObject node, string type) => node["type"] switch
    {
        JsonValue v => v.GetValue<string>() == type,
        JsonArray a => a.Any(t => t?.GetValue<string>() == type),
        _ => false,
    };

}
