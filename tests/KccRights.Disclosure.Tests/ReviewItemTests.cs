using System.Text.Json;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests;

public sealed class ReviewItemTests
{
    [Test]
    public void ToReviewItem_OnRecord_TakesTitleFieldsAndTextFromTheContent()
    {
        var content = JsonDocument.Parse("""{"system":"education","dataset":"exclusions","recordId":"X1","title":"Exclusion","date":"2025-01-02","fields":{"days":"2","reason":"Fight with Sam Jones","empty":null},"text":"Line one","attachments":[]}""").RootElement;
        var item = new CollatedItem(7, "record", "ab", new DateOnly(2025, 1, 2), content, [new ItemSource("education", "exclusions", "X1", DateTimeOffset.UnixEpoch)]);

        var review = CollationReviewItems.ToReviewItem(item);

        Assert.Multiple(() =>
        {
            Assert.That(review.System, Is.EqualTo("education"));
            Assert.That(review.Title, Is.EqualTo("Exclusion"));
            Assert.That(review.Fields.Select(f => f.Key), Is.EqualTo(new[] { "days", "reason" }));
            Assert.That(review.Text, Is.EqualTo("Line one"));
            Assert.That(review.FileName, Is.Null);
        });
    }

    [Test]
    public void ToReviewItem_OnDocument_TakesExtractedTextAndFileName()
    {
        var content = JsonDocument.Parse("""{"title":"Letter","fileName":"letter.pdf","mediaType":"application/pdf","text":"Dear parent","content":"AA=="}""").RootElement;
        var item = new CollatedItem(8, "document", "cd", null, content, [new ItemSource("documents", "share", "letter.pdf", DateTimeOffset.UnixEpoch)]);

        var review = CollationReviewItems.ToReviewItem(item);

        Assert.Multiple(() =>
        {
            Assert.That(review.Kind, Is.EqualTo("document"));
            Assert.That(review.Text, Is.EqualTo("Dear parent"));
            Assert.That(review.FileName, Is.EqualTo("letter.pdf"));
            Assert.That(review.Fields, Is.Empty);
        });
    }
}
