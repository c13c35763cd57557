using System.Text.Json;
using System.Text.Json.Serialization;

namespace KccRights.Workflows.Definitions;

/// <summary>
/// Reads a name or a list of names (<c>"draft-response"</c> or <c>["draft-response", "redaction-check"]</c>) as a list;
/// writes one name as a string, several as an array, so definitions written with the single form stay as they were.
/// </summary>
public sealed class OneOrManyNamesConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var names = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException("expected a name (a string) in the list");
                    }

                    names.Add(reader.GetString()!);
                }

                return names;
            default:
                throw new JsonException("expected a name or a list of names");
        }
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Count == 1)
        {
            writer.WriteStringValue(value[0]);
            return;
        }

        writer.WriteStartArray();
        foreach (var name in value)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
    }
}
