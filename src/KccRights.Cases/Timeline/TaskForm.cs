using System.Text.Json;

namespace KccRights.Cases;

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

/// <summary>Turns a posted task form into the data the workflow receives, or says what is missing.</summary>
public static class TaskSubmission
{
    public static (JsonElement? Data, List<(string Field, string Message)> Errors) Build(CaseTask task, IReadOnlyDictionary<string, string?> posted, string? outcome)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(posted);
        var fields = TaskForm.Parse(task.Form);
        var errors = fields
            .Where(f => f.Required && string.IsNullOrWhiteSpace(posted.GetValueOrDefault(f.Name)))
            .Select(f => ($"task-{task.Id}-{f.Name}", $"Enter {f.Label.ToLowerInvariant()}"))
            .ToList();
        errors.AddRange(fields
            .Where(f => CaseInput.TooLong(posted.GetValueOrDefault(f.Name), CaseInput.MaxTaskField, f.Label) is not null)
            .Select(f => ($"task-{task.Id}-{f.Name}", CaseInput.TooLong(posted.GetValueOrDefault(f.Name), CaseInput.MaxTaskField, f.Label)!)));
        if (string.IsNullOrEmpty(outcome))
        {
            errors.Add(($"task-{task.Id}-outcome", "Choose an outcome"));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        // Booleans go to the workflow as JSON true/false: its guard conditions (identity-in-doubt, ...) read them so.
        return (JsonSerializer.SerializeToElement(fields.ToDictionary(
            f => f.Name,
            f => posted.GetValueOrDefault(f.Name)?.Trim() is var value && f.Type == "boolean" ? (object?)(value == "yes") : value)), errors);
    }
}
