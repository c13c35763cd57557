using System.ComponentModel;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;

namespace KccRights.Documents.Bundles;

/// <summary>Strict JSON options for bundle input (unknown or duplicate properties are errors) and the schema generated from them.</summary>
public static class BundleJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            AllowDuplicateProperties = false,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The schema text exactly as committed in bundle.schema.json: indented, LF line ends, one final newline.</summary>
    public static string Schema()
    {
        var exporter = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Annotate };
        var schema = Options.GetJsonSchemaAsNode(typeof(BundleInput), exporter);
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://kccrights.kent.gov.uk/documents/bundle.schema.json",
            ["title"] = "KCC Rights response bundle",
        };
        foreach (var (name, value) in schema.AsObject().ToList())
        {
            schema.AsObject().Remove(name);
            root[name] = value;
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";
    }

    private static JsonNode Annotate(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is not JsonObject node)
        {
            return schema;
        }

        var attributes = context.PropertyInfo?.AttributeProvider?.GetCustomAttributes(inherit: true)
            ?? (context.PropertyInfo is null ? context.TypeInfo.Type.GetCustomAttributes(inherit: true) : []);
        foreach (var attribute in attributes)
        {
            if (attribute is DescriptionAttribute d)
            {
                node.Insert(0, "description", d.Description);
            }
        }

        if (context.PropertyInfo is null && node.ContainsKey("properties") && !node.ContainsKey("additionalProperties"))
        {
            node["additionalProperties"] = false;
        }

        return node;
    }
}
