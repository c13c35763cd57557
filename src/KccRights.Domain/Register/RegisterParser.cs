using System.Text.Json;
using System.Text.Json.Serialization;

namespace KccRights.Domain.Register;

/// <summary>A register that cannot be used: the message names the JSON path of the first problem.</summary>
public sealed class RegisterException(string message) : Exception(message);

/// <summary>
/// Parses the register from its JSON text (the caller reads the file: the domain does no I/O) and checks its meaning:
/// unique ids, every reference resolves, every purpose has a lawful basis, every dataset using special category data has
/// purposes with an Art 9(2) condition.
/// </summary>
public static class RegisterParser
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static RegisterOfProcessing Parse(string json)
    {
        RegisterOfProcessing? register;
        try
        {
            register = JsonSerializer.Deserialize<RegisterOfProcessing>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new RegisterException($"{ex.Path ?? "$"}: {FirstSentence(ex.Message)}");
        }

        if (register is null)
        {
            throw new RegisterException("$: the register is null");
        }

        var errors = Validate(register);
        if (errors.Count > 0)
        {
            throw new RegisterException(errors[0]);
        }

        return register;
    }

    /// <summary>Every semantic problem, each as "path: problem".</summary>
    public static IReadOnlyList<string> Validate(RegisterOfProcessing register)
    {
        var errors = new List<string>();
        var categories = Ids(register.Categories.Select(c => c.Id), "$.categories", errors);
        var bases = Ids(register.LawfulBases.Select(c => c.Id), "$.lawfulBases", errors);
        var conditions = Ids(register.SpecialCategoryConditions.Select(c => c.Id), "$.specialCategoryConditions", errors);
        var purposes = Ids(register.Purposes.Select(c => c.Id), "$.purposes", errors);
        var sources = Ids(register.Sources.Select(c => c.Id), "$.sources", errors);
        var recipients = Ids(register.Recipients.Select(c => c.Id), "$.recipients", errors);
        var retention = Ids(register.Retention.Select(c => c.Id), "$.retention", errors);
        Ids(register.Systems.Select(s => s.Id), "$.systems", errors);

        for (var i = 0; i < register.Purposes.Count; i++)
        {
            var purpose = register.Purposes[i];
            // UK GDPR Art 6(1): processing is lawful only with at least one basis.
            if (purpose.LawfulBases.Count == 0)
            {
                errors.Add($"$.purposes[{i}].lawfulBases: purpose '{purpose.Id}' has no lawful basis");
            }

            References(purpose.LawfulBases, bases, $"$.purposes[{i}].lawfulBases", "lawful basis", errors);
            References(purpose.SpecialCategoryConditions, conditions, $"$.purposes[{i}].specialCategoryConditions", "special category condition", errors);
        }

        foreach (var (rule, i) in register.Retention.Select((r, i) => (r, i)))
        {
            if (rule.UntilAge is < 0 or > 120)
            {
                errors.Add($"$.retention[{i}].untilAge: {rule.UntilAge} is not an age");
            }
        }

        for (var s = 0; s < register.Systems.Count; s++)
        {
            var system = register.Systems[s];
            Ids(system.Datasets.Select(d => d.Id), $"$.systems[{s}].datasets", errors);
            for (var d = 0; d < system.Datasets.Count; d++)
            {
                var dataset = system.Datasets[d];
                var path = $"$.systems[{s}].datasets[{d}]";
                NonEmpty(dataset.Categories, $"{path}.categories", errors);
                NonEmpty(dataset.Purposes, $"{path}.purposes", errors);
                References(dataset.Categories, categories, $"{path}.categories", "category", errors);
                References(dataset.Purposes, purposes, $"{path}.purposes", "purpose", errors);
                References(dataset.Sources, sources, $"{path}.sources", "source", errors);
                References(dataset.Recipients, recipients, $"{path}.recipients", "recipient", errors);
                if (!retention.Contains(dataset.Retention))
                {
                    errors.Add($"{path}.retention: unknown retention rule '{dataset.Retention}'");
                }

                // UK GDPR Art 9(1)-(2): special category data needs a condition; at least one purpose must name one.
                var special = dataset.Categories.Any(c => register.Categories.Any(k => k.Id == c && k.Special));
                var conditioned = dataset.Purposes.Any(p => register.Purposes.Any(k => k.Id == p && k.SpecialCategoryConditions.Count > 0));
                if (special && !conditioned)
                {
                    errors.Add($"{path}.purposes: dataset '{system.Id}/{dataset.Id}' holds special category data but no purpose names an Art 9(2) condition");
                }
            }
        }

        return errors;
    }

    private static HashSet<string> Ids(IEnumerable<string> ids, string path, List<string> errors)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var id in ids)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                errors.Add($"{path}[{i}].id: empty id");
            }
            else if (!set.Add(id))
            {
                errors.Add($"{path}[{i}].id: duplicate id '{id}'");
            }

            i++;
        }

        return set;
    }

    private static void References(IReadOnlyList<string> ids, HashSet<string> known, string path, string what, List<string> errors)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (!known.Contains(ids[i]))
            {
                errors.Add($"{path}[{i}]: unknown {what} '{ids[i]}'");
            }
        }
    }

    private static void NonEmpty(IReadOnlyList<string> ids, string path, List<string> errors)
    {
        if (ids.Count == 0)
        {
            errors.Add($"{path}: must name at least one");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).ReplaceLineEndings(" ");
    }
}
