using System.Text.Json;
using KccRights.Domain.Register;

namespace KccRights.Documents.Bundles;

/// <summary>Bad bundle input: one line naming the JSON path, e.g. <c>$.items[3].redactions[1]: overlaps $.items[3].redactions[0]</c>.</summary>
public sealed class BundleInputException(string message) : Exception(message);

/// <summary>
/// Reads and checks bundle input. A redaction that overlaps another or runs outside its value is an error, never clipped:
/// a clipped redaction is a disclosure nobody reviewed.
/// </summary>
public static class BundleParser
{
    public static BundleInput Parse(string json, RegisterOfProcessing register)
    {
        BundleInput? input;
        try
        {
            input = JsonSerializer.Deserialize<BundleInput>(json, BundleJson.Options);
        }
        catch (JsonException ex)
        {
            throw new BundleInputException($"{ex.Path ?? "$"}: {Describe(ex)}");
        }

        if (input is null)
        {
            throw new BundleInputException("$: expected an object, found null");
        }

        Validate(input, register);
        return input;
    }

    /// <summary>Throws <see cref="BundleInputException"/> at the first problem.</summary>
    public static void Validate(BundleInput input, RegisterOfProcessing register)
    {
        Text(input.Reference, "$.reference");
        if (input.Reference.Length > 40)
        {
            // It is printed in the running header and footer of every page.
            throw new BundleInputException($"$.reference: longer than 40 characters");
        }

        Text(input.Requester.Name, "$.requester.name");
        Text(input.Subject.Name, "$.subject.name");
        for (var i = 0; i < input.Requester.Address.Count; i++)
        {
            NoControl(input.Requester.Address[i], $"$.requester.address[{i}]");
        }

        if (input.Due < input.Received)
        {
            throw new BundleInputException($"$.due: {input.Due:yyyy-MM-dd} is before $.received {input.Received:yyyy-MM-dd}");
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < input.Items.Count; i++)
        {
            var item = input.Items[i];
            var path = $"$.items[{i}]";
            Text(item.Id, $"{path}.id");
            if (!ids.TryAdd(item.Id, i))
            {
                throw new BundleInputException($"{path}.id: '{item.Id}' is also the id of $.items[{ids[item.Id]}]");
            }

            if (register.Systems.All(s => s.Id != item.System))
            {
                throw new BundleInputException($"{path}.system: unknown system '{item.System}' (not in the register of processing)");
            }

            if (register.FindDataset(item.System, item.Dataset) is null)
            {
                throw new BundleInputException($"{path}.dataset: unknown dataset '{item.Dataset}' of system '{item.System}'");
            }

            Text(item.Title, $"{path}.title");
            foreach (var (name, _) in item.Fields)
            {
                Text(name, $"{path}.fields");
            }

            if (item.Withheld is { } withheld && !ExemptionCatalogue.TryGet(withheld.Code, out _))
            {
                throw new BundleInputException($"{path}.withheld.code: unknown exemption code '{withheld.Code}'");
            }

            ValidateRedactions(item, path);
        }
    }

    private static void ValidateRedactions(BundleItem item, string path)
    {
        for (var k = 0; k < item.Redactions.Count; k++)
        {
            var r = item.Redactions[k];
            var here = $"{path}.redactions[{k}]";
            string value;
            if (r.Field is null)
            {
                value = item.Text;
            }
            else if (!item.Fields.TryGetValue(r.Field, out value!))
            {
                throw new BundleInputException($"{here}.field: '{r.Field}' is not a field of {path}");
            }

            if (r.Start < 0)
            {
                throw new BundleInputException($"{here}.start: {r.Start} is negative");
            }

            if (r.Length < 1)
            {
                throw new BundleInputException($"{here}.length: {r.Length} is not a positive length");
            }

            var target = r.Field is null ? "the text" : $"field '{r.Field}'";
            if ((long)r.Start + r.Length > value.Length)
            {
                throw new BundleInputException($"{here}: {r.Start}+{r.Length} runs past the end of {target} ({value.Length} UTF-16 code units)");
            }

            if (SplitsPair(value, r.Start) || SplitsPair(value, r.Start + r.Length))
            {
                throw new BundleInputException($"{here}: an end falls inside a surrogate pair of {target}");
            }

            if (!ExemptionCatalogue.TryGet(r.Code, out _))
            {
                throw new BundleInputException($"{here}.code: unknown exemption code '{r.Code}'");
            }

            for (var j = 0; j < k; j++)
            {
                var other = item.Redactions[j];
                if (other.Field == r.Field && r.Start < other.Start + other.Length && other.Start < r.Start + r.Length)
                {
                    throw new BundleInputException($"{here}: overlaps {path}.redactions[{j}]");
                }
            }
        }
    }

    private static bool SplitsPair(string value, int index) =>
        index > 0 && index < value.Length && char.IsHighSurrogate(value[index - 1]) && char.IsLowSurrogate(value[index]);

    private static void Text(string value, string path)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new BundleInputException($"{path}: must not be empty");
        }

        NoControl(value, path);
    }

    private static void NoControl(string value, string path)
    {
        if (value.Any(c => char.IsControl(c)))
        {
            throw new BundleInputException($"{path}: contains a control character");
        }
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return message.ReplaceLineEndings(" ").Trim();
    }
}
