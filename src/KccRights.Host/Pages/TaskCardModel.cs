using System.Globalization;
using System.Text.Json;
using KccRights.Cases;
using KccRights.Workflows.Definitions;

namespace KccRights.Host.Pages;

/// <summary>
/// One workflow task as a card with its form, on the case page and on the task page alike. <paramref name="FourEyesRefusal"/>
/// is why the viewer may not complete it (said instead of the form); <paramref name="Names"/> shows people by name.
/// </summary>
public sealed record TaskCardModel(CaseTask Task, Actor Actor, PeopleNames Names, string? FourEyesRefusal = null)
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Who the task is for, in words.</summary>
    public string For => Task.Role switch
    {
        "officer" => "An officer",
        "dpo" => "The data protection officer",
        "record-owner" => Task.Team is null ? "The team that holds the records" : $"{Task.Team}, the team that holds the records",
        _ => WorkflowLabels.Words(Task.Role),
    };

    /// <summary>Whether the viewer has taken the task.</summary>
    public bool TakenByMe => string.Equals(Task.Assignee, Actor.Subject, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The answers a completed task was given, by the form's labels (issue 14 item 3: the case page shows each completed
    /// task's answers with who and when). Yes/no as words, dates as dates; fields left empty are left out.
    /// </summary>
    public IReadOnlyList<(string Question, string Answer)> Answers()
    {
        if (string.IsNullOrWhiteSpace(Task.OutcomeData))
        {
            return [];
        }

        using var document = JsonDocument.Parse(Task.OutcomeData);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var answers = new List<(string, string)>();
        foreach (var field in TaskForm.Parse(Task.Form))
        {
            if (!document.RootElement.TryGetProperty(field.Name, out var value))
            {
                continue;
            }

            var text = value.ValueKind switch
            {
                JsonValueKind.True => "Yes",
                JsonValueKind.False => "No",
                JsonValueKind.String when field.Type == "date" && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) => date.ToString("d MMMM yyyy", EnGb),
                JsonValueKind.String when field.Options.Count > 0 => WorkflowLabels.Words(value.GetString()),
                JsonValueKind.String => value.GetString() ?? "",
                JsonValueKind.Number => value.GetRawText(),
                _ => "",
            };
            if (text.Length > 0)
            {
                answers.Add((field.Label, text));
            }
        }

        return answers;
    }
}
