using System.Globalization;
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
            .Select(f => ($"task-{task.Id}-{f.Name}", Missing(f)))
            .ToList();
        errors.AddRange(fields
            .Where(f => CaseInput.TooLong(posted.GetValueOrDefault(f.Name), CaseInput.MaxTaskField, f.Label) is not null)
            .Select(f => ($"task-{task.Id}-{f.Name}", CaseInput.TooLong(posted.GetValueOrDefault(f.Name), CaseInput.MaxTaskField, f.Label)!)));
        var dates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in fields.Where(f => f.Type == "date" && !string.IsNullOrWhiteSpace(posted.GetValueOrDefault(f.Name))))
        {
            if (ParseDate(posted.GetValueOrDefault(f.Name)) is { } date)
            {
                dates[f.Name] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }
            else if (!errors.Any(e => e.Item1 == $"task-{task.Id}-{f.Name}"))
            {
                errors.Add(($"task-{task.Id}-{f.Name}", $"Enter {DateLabel(f.Label)} as a date, for example 2019-09-01"));
            }
        }

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
            f => dates.TryGetValue(f.Name, out var date) ? date
                : posted.GetValueOrDefault(f.Name)?.Trim() is var value && f.Type == "boolean" ? (object?)(value == "yes")
                : f.Type == "date" && string.IsNullOrEmpty(value) ? null
                : value)), errors);
    }

    /// <summary>
    /// The message for a required field left empty, with the question as the definition words it (issue 14 item 3: it
    /// was the label lower-cased, "Enter is there reasonable doubt about the requester's identity...").
    /// </summary>
    public static string Missing(TaskFormField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var label = field.Label.Trim();
        if (field.Type == "boolean")
        {
            return $"Choose yes or no: {label}";
        }

        if (field.Options.Count > 0)
        {
            return $"Choose an answer: {label}";
        }

        if (label.EndsWith('?') || label.Length == 0)
        {
            return label.Length == 0 ? "Answer every question" : $"Answer the question: {label}";
        }

        // "Reason for the decision" reads "Enter the reason for the decision"-like: the first letter lowered unless the
        // first word is an acronym (UPN, DPO).
        var firstWord = label.Split(' ')[0];
        var keep = firstWord.Length > 1 && firstWord.All(c => !char.IsLetter(c) || char.IsUpper(c));
        return "Enter " + (keep ? label : char.ToLowerInvariant(label[0]) + label[1..]);
    }

    /// <summary>A date typed in a task form: 2019-09-01 or 1/9/2019 (day first, as in the UK); null when it is neither.</summary>
    public static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), ["yyyy-MM-dd", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>The field's label for an error message: lower-cased first letter, without its own "(for example ...)".</summary>
    private static string DateLabel(string label)
    {
        var cut = label.IndexOf(" (for example", StringComparison.OrdinalIgnoreCase);
        var text = (cut > 0 ? label[..cut] : label).Trim();
        return text.Length == 0 ? "the date" : char.ToLowerInvariant(text[0]) + text[1..];
    }
}
