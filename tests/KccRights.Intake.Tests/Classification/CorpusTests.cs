using KccRights.Intake.Classification;
using Microsoft.Extensions.Time.Testing;

namespace KccRights.Intake.Tests.Classification;

public class CorpusTests
{
    private static readonly MessageClassifier Classifier = new(new ClassifierOptions(), new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero)));

    public static IEnumerable<Label> AllLabels() => Corpus.Labels();

    public static IEnumerable<Label> LabelsWithSubject() => Corpus.Labels().Where(l => l.SubjectName is not null);

    [Test]
    public void Corpus_HasTheSharedExamplesAndAtLeastFortyOfOurOwn()
    {
        var labels = Corpus.Labels();

        Assert.That(labels.Count(l => l.Number <= 16), Is.EqualTo(16));
        Assert.That(labels.Count(l => l.Number > 16), Is.GreaterThanOrEqualTo(40));
        Assert.That(labels.Select(l => l.File), Is.All.Matches<string>(f => File.Exists(Corpus.PathOf(f))));
    }

    [TestCaseSource(nameof(AllLabels))]
    public void Message_IsClassifiedAsLabelled(Label label)
    {
        var result = Classifier.Classify(Corpus.Read(label.File));

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(label.Kind), string.Join(" | ", result.Reasons));
            Assert.That(result.Rights, Is.EquivalentTo(label.Rights), string.Join(" | ", result.Reasons));
            Assert.That(result.Relationship, Is.EqualTo(label.Relationship), string.Join(" | ", result.Reasons));
            Assert.That(result.Reasons, Is.Not.Empty, "every decision names the phrases that made it");
            Assert.That(result.Confidence, Is.InRange(0.0, 1.0));
        });
    }

    /// <summary>Issue 14, item 7: the person the request is about, never the sender acting for them nor a greeting.</summary>
    [TestCaseSource(nameof(LabelsWithSubject))]
    public void Message_RecordsTheLabelledDataSubject(Label label)
    {
        var result = Classifier.Classify(Corpus.Read(label.File));

        Assert.That(result.Subject.Name, Is.EqualTo(label.SubjectName), string.Join(" | ", result.Reasons));
    }

    [TestCaseSource(nameof(AllLabels))]
    public void NonRequests_AndDoubtfulRequests_AreFlaggedForTriage(Label label)
    {
        var result = Classifier.Classify(Corpus.Read(label.File));

        if (result.Kind == MessageKind.Other)
        {
            Assert.That(result.NeedsTriage, Is.True, "an officer sees everything that is not a request");
        }
        else if (result.Kind == MessageKind.Request)
        {
            var shouldTriage = result.Confidence < 0.6 || result.Language != "en" || result.ParseProblems.Count > 0;
            Assert.That(result.NeedsTriage, Is.EqualTo(shouldTriage), string.Join(" | ", result.TriageReasons));
        }
        else
        {
            Assert.That(result.Rights, Is.Empty);
        }
    }
}
