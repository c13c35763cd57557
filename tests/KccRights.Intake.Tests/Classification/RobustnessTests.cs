using KccRights.Intake.Classification;

namespace KccRights.Intake.Tests.Classification;

/// <summary>Cut-short and corrupted copies of every labelled message: intake records and explains, never crashes.</summary>
public class RobustnessTests
{
    public static IEnumerable<string> Files() => Corpus.Labels().Select(l => l.File);

    [TestCaseSource(nameof(Files))]
    public void TruncatedOrCorrupted_NeverThrows_AndAlwaysExplains(string file)
    {
        var raw = Corpus.Read(file);
        var classifier = new MessageClassifier();
        var random = new Random(file.Length);
        foreach (var cut in new[] { 1, 7, raw.Length / 3, raw.Length / 2, raw.Length - 5 })
        {
            var truncated = raw[..Math.Clamp(cut, 0, raw.Length)];
            var corrupted = raw.ToArray();
            for (var i = 0; i < 20; i++)
            {
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
            }

            foreach (var input in new[] { truncated, corrupted })
            {
                var result = classifier.Classify(input);
                Assert.That(result.Reasons, Is.Not.Empty, file);
            }
        }
    }
}
