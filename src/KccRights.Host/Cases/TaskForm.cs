using System.Text.Json;

namespace KccRights.Host.Cases;

/// <summary>A field of a workflow task's form, as the definition gives it.</summary>
public sealed record TaskFormField(string Name, string Label, string Type, bool Required, IReadOnlyList<string> Options);

public static class TaskForm
{
    public static IReadOnlyList<TaskFormField> Parse(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        return document.RootElement.ValueKind != JsonValueKind.Array
            ? []
            : document.RootElement.EnumerateArray().Select(f => new TaskFormField(
                f.GetProperty("name").GetString() ?? "",
                f.TryGetProperty("label", out var label) ? label.GetString() ?? "" : "",
                f.TryGetProperty("type", out var type) ? type.GetString() ?? "text" : "text",
                f.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.True,
                f.TryGetProperty("options", out var options) && options.ValueKind == JsonValueKind.Array
                    ? options.EnumerateArray().Select(o => o.GetString() ?? "").ToList()
                    : (IReadOnlyList<string>)[])).ToList();
    }
}
