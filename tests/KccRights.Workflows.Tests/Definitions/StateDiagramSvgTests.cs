using System.Globalization;
using System.Xml.Linq;
using KccRights.Domain.Cases;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Definitions;

/// <summary>The SVG state diagram the web app shows: well formed, complete, safe under the site's CSP, legible.</summary>
public class StateDiagramSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static IEnumerable<string> Ids() => DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog()).Definitions.Select(d => d.Definition.Id);

    private static WorkflowDefinition Shipped(string id) =>
        DefinitionLoader.LoadDirectory(Paths.Workflows, WorkflowHarness.Catalog()).Definitions.Single(d => d.Definition.Id == id).Definition;

    [TestCaseSource(nameof(Ids))]
    public void EveryStateAndTransition_IsDrawn_AndTheCaseStageIsMarkedOnce(string id)
    {
        var definition = Shipped(id);
        var current = definition.States[1].Id;
        var svg = XDocument.Parse(StateDiagramSvg.Render(definition, current)).Root!;

        var states = svg.Descendants(Svg + "g").Where(g => g.Attribute("data-state") is not null).ToList();
        var arrows = svg.Descendants(Svg + "path").Where(p => p.Attribute("data-from") is not null).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(states.Select(g => g.Attribute("data-state")!.Value), Is.EquivalentTo(definition.States.Select(s => s.Id)));
            Assert.That(
                arrows.Select(p => p.Attribute("data-from")!.Value + ">" + p.Attribute("data-to")!.Value),
                Is.EquivalentTo(definition.States.SelectMany(s => s.Transitions.Select(t => s.Id + ">" + t.To))));
            Assert.That(states.Where(g => g.Attribute("data-current") is not null).Select(g => g.Attribute("data-state")!.Value), Is.EqualTo(new[] { current }));
            Assert.That(svg.Attribute("role")?.Value, Is.EqualTo("img"));
            Assert.That(svg.Element(Svg + "title")?.Value, Does.Contain(definition.Title).And.Contain(WorkflowLabels.State(current)));
            foreach (var transition in definition.AnyState)
            {
                Assert.That(svg.Value, Does.Contain($"on {StateDiagramSvg.Describe(transition)}: to {WorkflowLabels.State(transition.To)}"), "'any open state' transitions are written out");
            }
        });
    }

    [TestCaseSource(nameof(Ids))]
    public void NoTwoStateBoxesOverlap_AndEveryBoxIsInsideTheCanvas(string id)
    {
        var svg = XDocument.Parse(StateDiagramSvg.Render(Shipped(id))).Root!;
        var (width, height) = (Number(svg, "width"), Number(svg, "height"));
        var boxes = svg.Descendants(Svg + "g").Where(g => g.Attribute("data-state") is not null)
            .Select(g => (Id: g.Attribute("data-state")!.Value, Rect: g.Element(Svg + "rect")!))
            .Select(b => (b.Id, X: Number(b.Rect, "x"), Y: Number(b.Rect, "y"), W: Number(b.Rect, "width"), H: Number(b.Rect, "height")))
            .ToList();
        Assert.Multiple(() =>
        {
            foreach (var a in boxes)
            {
                Assert.That(a.X >= 0 && a.Y >= 0 && a.X + a.W <= width && a.Y + a.H <= height, Is.True, $"{a.Id} is inside the canvas");
                foreach (var b in boxes.Where(b => string.CompareOrdinal(b.Id, a.Id) > 0))
                {
                    var apart = a.X + a.W <= b.X || b.X + b.W <= a.X || a.Y + a.H <= b.Y || b.Y + b.H <= a.Y;
                    Assert.That(apart, Is.True, $"{a.Id} and {b.Id} overlap");
                }
            }
        });
    }

    [TestCaseSource(nameof(Ids))]
    public void TheShownTextIsLabels_NeverStateOrOutcomeIds(string id)
    {
        // Issue 14 item 3: slugs never shown. Ids stay only in data- attributes, for tests and scripts.
        var definition = Shipped(id);
        var shown = string.Join("\n", XDocument.Parse(StateDiagramSvg.Render(definition, definition.States[1].Id)).Root!.DescendantNodes().OfType<XText>().Select(t => t.Value));
        var slugs = definition.States.Select(s => s.Id).Concat(definition.States.SelectMany(s => s.Transitions.Select(t => t.On))).Where(s => s.Contains('-', StringComparison.Ordinal)).Distinct();
        Assert.Multiple(() =>
        {
            foreach (var slug in slugs)
            {
                Assert.That(shown, Does.Not.Contain(slug), $"{id}: {slug}");
            }
        });
    }

    [Test]
    public void TheMainPathRunsDownTheRows()
    {
        // Access: each step of the usual journey sits below the one before it, whatever loops there are.
        var svg = XDocument.Parse(StateDiagramSvg.Render(Shipped("access"))).Root!;
        double Top(string state) => Number(svg.Descendants(Svg + "g").Single(g => g.Attribute("data-state")?.Value == state).Element(Svg + "rect")!, "y");
        var path = new[] { "triage", "identity-search", "identity-confirmation", "collection-start", "collation", "disclosure-review", "redaction-check", "draft-response", "dpo-sign-off", "dispatch", "closed" };
        Assert.That(path.Select(Top), Is.Ordered.Ascending.And.Unique);
    }

    [Test]
    public void HostileTextIsEscaped_AndNothingNeedsInlineScriptOrStyle()
    {
        var definition = Shipped("complaint") with { Title = "</title><script>alert(1)</script><style>*{}</style> & \"quotes\"" };
        var text = StateDiagramSvg.Render(definition, "<img src=x onerror=alert(1)>");
        var svg = XDocument.Parse(text).Root!;
        Assert.Multiple(() =>
        {
            Assert.That(svg.Descendants().Select(e => e.Name.LocalName), Has.None.EqualTo("script").And.None.EqualTo("style").And.None.EqualTo("img"));
            Assert.That(svg.Descendants().SelectMany(e => e.Attributes()).Select(a => a.Name.LocalName), Has.None.EqualTo("style").And.None.StartsWith("on"));
            Assert.That(svg.Element(Svg + "title")!.Value, Does.StartWith("</title><script>"), "shown as text");
        });
    }

    private static double Number(XElement element, string attribute) =>
        double.Parse(element.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
}
