using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using KccRights.Domain.Cases;

namespace KccRights.Intake.Classification;

/// <summary>The JSON shape of a classification: printed by <c>kccrights classify</c> and stored with the message.</summary>
public static class ClassificationJson
{
    // Printed for people and scripts, never embedded in HTML: quotes and apostrophes stay readable.
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject ToJson(ClassificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject
        {
            ["kind"] = result.Kind.Id(),
            ["rights"] = new JsonArray(result.Rights.Select(r => (JsonNode)JsonValue.Create(r.Id())!).ToArray()),
            ["relationship"] = result.Relationship?.Id(),
            ["requester"] = new JsonObject { ["name"] = result.Requester.Name, ["email"] = result.Requester.Email },
            ["subject"] = new JsonObject
            {
                ["name"] = result.Subject.Name,
                ["dateOfBirth"] = result.Subject.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["previousNames"] = new JsonArray(result.Subject.PreviousNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["school"] = result.Subject.School,
                ["upn"] = result.Subject.Upn,
                ["address"] = result.Subject.Address,
                ["postcode"] = result.Subject.Postcode,
            },
            ["reference"] = result.Reference,
            ["caseReferences"] = new JsonArray(result.CaseReferences.Select(r => (JsonNode)JsonValue.Create(r.ToString())!).ToArray()),
            ["language"] = result.Language,
            ["confidence"] = Math.Round(result.Confidence, 2),
            ["needsTriage"] = result.NeedsTriage,
            ["triageReasons"] = new JsonArray(result.TriageReasons.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            ["reasons"] = new JsonArray(result.Reasons.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
            ["attachments"] = new JsonArray(result.Attachments.Select(a => (JsonNode)new JsonObject
            {
                ["name"] = a.Name,
                ["contentType"] = a.ContentType,
                ["bytes"] = a.Bytes,
            }).ToArray()),
        };
    }

    /// <summary>
    /// What is stored beside the message (issue 9 Build 6): <see cref="ToJson"/> without the personal parts - requester,
    /// subject, agent reference, quoted reasons, attachment names. Those are derived on read from the encrypted message.
    /// </summary>
    public static JsonObject ToStoredJson(ClassificationResult result)
    {
        var json = ToJson(result);
        foreach (var personal in PersonalKeys)
        {
            json.Remove(personal);
        }

        return json;
    }

    /// <summary>The keys <see cref="ToStoredJson"/> leaves out (migration 0082 removes them from rows stored before).</summary>
    public static readonly IReadOnlyList<string> PersonalKeys = ["requester", "subject", "reference", "reasons", "attachments"];

    public static string ToLine(ClassificationResult result) => ToJson(result).ToJsonString(Compact);

    /// <summary>Reads back what <see cref="ToJson"/> stored (kind, rights and relationship; enough for reports).</summary>
    public static (MessageKind Kind, IReadOnlyList<Right> Rights, Relationship? Relationship) ReadSummary(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var kind = MessageKinds.TryParseKind((string?)node["kind"], out var parsed) ? parsed : MessageKind.Other;
        var rights = new List<Right>();
        foreach (var item in node["rights"]?.AsArray() ?? [])
        {
            if (Rights.TryParseId((string?)item, out var right))
            {
                rights.Add(right);
            }
        }

        Relationship? relationship = MessageKinds.TryParseRelationship((string?)node["relationship"], out var r) ? r : null;
        return (kind, rights, relationship);
    }
}
