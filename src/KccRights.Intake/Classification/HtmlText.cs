using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace KccRights.Intake.Classification;

/// <summary>
/// HTML bodies: plain text for the rules, and a sanitised copy for officers to read. Remote content is never fetched:
/// the parser loads nothing, and the display copy has scripts removed and remote image sources taken out (a tracking
/// pixel would tell the sender the message was read, and when).
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "section", "article", "header", "footer", "hr",
    };

    private static readonly string[] FormTags = ["form", "input", "button", "select", "option", "optgroup", "textarea", "datalist", "output", "fieldset", "legend", "label"];

    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "head", "title", "noscript", "template" };

    public static string ToText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var parser = new HtmlParser();
        using var document = parser.ParseDocument(html);
        var builder = new StringBuilder();
        Walk(document.Body ?? (INode)document, builder);
        var lines = builder.ToString().Split('\n').Select(l => string.Join(' ', l.Split([' ', '\t', '\u00a0'], StringSplitOptions.RemoveEmptyEntries)));
        return string.Join('\n', lines).Trim();
    }

    /// <summary>HTML safe to show in the case view: no scripts, no event handlers, no remote images.</summary>
    public static string Sanitise(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedSchemes.Add("cid");
        sanitizer.AllowedAttributes.Remove("srcset");

        // No forms (a sender's form could post an officer's input anywhere, or pose as the service) and no positioned
        // overlays (position: fixed or absolute can lay a fake page over the real one): issue 9 Build 8.
        foreach (var tag in FormTags)
        {
            sanitizer.AllowedTags.Remove(tag);
        }

        sanitizer.AllowedCssProperties.Remove("position");
        sanitizer.AllowedCssProperties.Remove("z-index");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { LocalName: "img" } image)
            {
                var source = image.GetAttribute("src") ?? string.Empty;
                if (!source.StartsWith("cid:", StringComparison.OrdinalIgnoreCase) && !source.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
                {
                    image.RemoveAttribute("src");
                    image.SetAttribute("alt", "[remote image not loaded]");
                    image.SetAttribute("data-remote-image-removed", "true");
                }
            }
        };
        // Images: only inline parts (cid:) survive; data: is dropped by the scheme list, remote ones above.
        return sanitizer.Sanitize(html);
    }

    private static void Walk(INode node, StringBuilder builder)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    builder.Append(text.Data.Replace('\n', ' ').Replace('\r', ' '));
                    break;
                case IElement element when Skipped.Contains(element.LocalName):
                    break;
                case IElement element:
                    var block = Blocks.Contains(element.LocalName);
                    if (block)
                    {
                        builder.Append('\n');
                    }

                    Walk(element, builder);
                    if (block)
                    {
                        builder.Append('\n');
                    }

                    break;
                default:
                    break;
            }
        }
    }
}
