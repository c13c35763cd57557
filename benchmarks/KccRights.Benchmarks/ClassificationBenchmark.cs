using System.Diagnostics;
using System.Globalization;
using KccRights.Domain.Cases;
using KccRights.Intake.Classification;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 4's classification figures: precision and recall per label (kind, each right, each relationship) over the
/// labelled corpus, and the classifier's throughput. Issue 14, item 7: where a message is labelled with the data
/// subject's name (a fifth column), whether intake recorded that person (not the sender, not a greeting) as the subject.
/// </summary>
internal static class ClassificationBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        Measure("corpus", "the labelled corpus (the rules were written alongside it)", throughput: true);
        Console.WriteLine();
        Measure("holdout", "the held-out set (never run by the unit tests; h01-h15 written after the rules, h16-h30 written with issue 14's rules)", throughput: false);
        return Task.FromResult(0);
    }

    private static void Measure(string name, string description, bool throughput)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, name);
        var labels = File.ReadAllLines(Path.Combine(folder, "labels.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
        var classifier = new MessageClassifier();
        var raws = labels.ToDictionary(l => l[0], l => File.ReadAllBytes(Path.Combine(folder, l[0])));

        var counts = new SortedDictionary<string, (int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
        void Count(string label, bool expected, bool predicted)
        {
            var (tp, fp, fn) = counts.GetValueOrDefault(label);
            counts[label] = (tp + (expected && predicted ? 1 : 0), fp + (!expected && predicted ? 1 : 0), fn + (expected && !predicted ? 1 : 0));
        }

        var wrong = new List<string>();
        var names = (Labelled: 0, Right: 0, Wrong: new List<string>());
        foreach (var label in labels)
        {
            var result = classifier.Classify(raws[label[0]]);
            var expectedRights = label[2] == "-" ? [] : label[2].Split(',').ToHashSet();
            var predictedRights = result.Rights.Select(r => r.Id()).ToHashSet();
            foreach (var kind in Enum.GetValues<MessageKind>().Select(k => k.Id()))
            {
                Count("kind=" + kind, label[1] == kind, result.Kind.Id() == kind);
            }

            foreach (var right in Rights.All.Select(r => r.Id()))
            {
                Count("right=" + right, expectedRights.Contains(right), predictedRights.Contains(right));
            }

            foreach (var relationship in Enum.GetValues<Relationship>().Select(r => r.Id()))
            {
                Count("relationship=" + relationship, label[3] == relationship, result.Relationship?.Id() == relationship);
            }

            if (label.Length == 5 && label[4].Length > 0)
            {
                names.Labelled++;
                if (string.Equals(result.Subject.Name, label[4], StringComparison.Ordinal))
                {
                    names.Right++;
                }
                else
                {
                    names.Wrong.Add($"{label[0]}: subject labelled \"{label[4]}\", got \"{result.Subject.Name ?? "(none)"}\"");
                }
            }

            if (label[1] != result.Kind.Id() || !expectedRights.SetEquals(predictedRights) || label[3] != (result.Relationship?.Id() ?? "-"))
            {
                wrong.Add($"{label[0]}: labelled {label[1]}/{label[2]}/{label[3]}, got {result.Kind.Id()}/{string.Join(',', predictedRights)}/{result.Relationship?.Id() ?? "-"}");
            }
        }

        Console.WriteLine(Invariant($"Classification over {description}: {labels.Count} messages"));
        Print(counts, labels.Count, wrong);
        if (names.Labelled > 0)
        {
            Console.WriteLine(Invariant($"  data subject's name right (where labelled): {names.Right} of {names.Labelled}"));
            foreach (var line in names.Wrong)
            {
                Console.WriteLine("    " + line);
            }
        }

        if (!throughput)
        {
            return;
        }

        // Throughput: the whole corpus classified repeatedly.
        const int rounds = 20;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            foreach (var raw in raws.Values)
            {
                classifier.Classify(raw);
            }
        }

        stopwatch.Stop();
        Console.WriteLine(Invariant($"  throughput: {rounds * labels.Count / stopwatch.Elapsed.TotalSeconds:N0} messages/s ({stopwatch.Elapsed.TotalMilliseconds / (rounds * labels.Count):0.000} ms each, one core)"));
    }

    private static void Print(SortedDictionary<string, (int Tp, int Fp, int Fn)> counts, int total, List<string> wrong)
    {
        Console.WriteLine(Invariant($"  {"label",-30} {"support",7} {"precision",9} {"recall",7}"));
        foreach (var (label, (tp, fp, fn)) in counts)
        {
            var support = tp + fn;
            if (support == 0 && fp == 0)
            {
                continue;
            }

            var precision = tp + fp == 0 ? double.NaN : (double)tp / (tp + fp);
            var recall = support == 0 ? double.NaN : (double)tp / support;
            Console.WriteLine(Invariant($"  {label,-30} {support,7} {Format(precision),9} {Format(recall),7}"));
        }

        Console.WriteLine(Invariant($"  messages exactly right (kind, rights, relationship): {total - wrong.Count} of {total}"));
        foreach (var line in wrong)
        {
            Console.WriteLine("    " + line);
        }
    }

    private static string Format(double value) => double.IsNaN(value) ? "-" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
