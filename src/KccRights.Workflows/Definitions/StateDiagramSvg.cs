using System.Globalization;
using System.Security;
using System.Text;

namespace KccRights.Workflows.Definitions;

/// <summary>
/// A definition as an SVG state diagram, drawn on the server for the web app: no script, no inline style (the site's
/// Content-Security-Policy allows neither), only presentation attributes and classes. States are laid out in rows by
/// their distance from the start state and ordered within each row to shorten the arrows between rows; an arrow back
/// up (a loop, such as a clarification) runs down the right-hand side. Transitions that apply in every open state are
/// written under the title rather than drawn from every box. A transitions table beside it carries the same content
/// for people who cannot see the picture.
/// </summary>
public static class StateDiagramSvg
{
    private const int RowGap = 96;
    private const int ColumnGap = 36;
    private const int BoxHeight = 44;
    private const int Margin = 24;
    private const int LaneGap = 12;
    private const double CharWidth = 7.2;   // Arial 13px, roughly: boxes are sized from the text
    private const double SmallCharWidth = 6.0;

    public static string Render(WorkflowDefinition definition, string? currentState = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var states = definition.States.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var rows = Rows(definition, states);
        var width = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var state in definition.States)
        {
            width[state.Id] = Math.Max(WorkflowLabels.State(state.Id).Length * CharWidth, (Note(state)?.Length ?? 0) * SmallCharWidth) + 24;
        }

        // Positions: each row centred on the widest, with room either side for the curves that go round.
        var sideRoutes = definition.States.Sum(st => st.Transitions.Count);
        var side = 60 + (Math.Min(sideRoutes, 40) * LaneGap / 2.0);
        var header = 56 + (definition.AnyState.Count * 18);
        var rowWidths = rows.Select(r => r.Sum(id => width[id]) + (ColumnGap * (r.Count - 1))).ToList();
        var contentWidth = rowWidths.Count == 0 ? 200 : rowWidths.Max();
        var x = new Dictionary<string, double>(StringComparer.Ordinal);
        var y = new Dictionary<string, double>(StringComparer.Ordinal);
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var left = Margin + side + ((contentWidth - rowWidths[r]) / 2);
            foreach (var id in rows[r])
            {
                x[id] = left;
                y[id] = header + (r * RowGap);
                row[id] = r;
                left += width[id] + ColumnGap;
            }
        }

        // Transitions that skip rows, go back up or run along a row are routed round the side of the diagram the two
        // states are nearer to, each in a lane of its own (shorter spans nearer the boxes), so no arrow crosses a box.
        var centre = Margin + side + (contentWidth / 2);
        var routed = new List<(StateDefinition From, TransitionDefinition Transition, int Span, bool Right)>();
        foreach (var state in definition.States)
        {
            foreach (var transition in state.Transitions.Where(t => x.ContainsKey(t.To)))
            {
                var span = row[transition.To] - row[state.Id];
                var right = x[state.Id] + (width[state.Id] / 2) + x[transition.To] + (width[transition.To] / 2) > 2 * centre;
                routed.Add((state, transition, span, right));
            }
        }

        var lanes = new Dictionary<(string, string, string), double>();
        foreach (var group in routed.Where(e => e.Span != 1 && e.From.Id != e.Transition.To).GroupBy(e => e.Right))
        {
            var index = 0;
            foreach (var e in group.OrderBy(e => Math.Abs(e.Span)).ThenBy(e => row[e.From.Id]))
            {
                var offset = 18 + (index++ * LaneGap);
                lanes[(e.From.Id, e.Transition.To, e.Transition.On)] = e.Right ? Margin + side + contentWidth + offset : Margin + side - offset;
            }
        }

        var edges = new StringBuilder();
        var labels = new StringBuilder();
        // Labels keep clear of the boxes and of each other.
        var placed = x.Keys.Select(id => (X: x[id] + (width[id] / 2), Y: y[id] + (BoxHeight / 2.0), Width: width[id], Height: (double)BoxHeight)).ToList();
        foreach (var (state, transition, span, right) in routed)
        {
            var label = Describe(transition);
            var (fx, fy, tx, ty) = (x[state.Id], y[state.Id], x[transition.To], y[transition.To]);
            string path;
            double lx, ly;
            var dashed = false;
            if (span == 1)
            {
                // Down one row: bottom centre to top centre.
                var (sx, sy, ex, ey) = (fx + (width[state.Id] / 2), fy + BoxHeight, tx + (width[transition.To] / 2), ty - 2);
                var bend = (ey - sy) / 2;
                path = F($"M {sx:0.#} {sy:0.#} C {sx:0.#} {sy + bend:0.#}, {ex:0.#} {ey - bend:0.#}, {ex:0.#} {ey:0.#}");
                // The label near the target end, so that the labels of a fan of arrows from one state spread out.
                (lx, ly) = (Cubic(sx, sx, ex, ex, 0.7), Cubic(sy, sy + bend, ey - bend, ey, 0.7));
            }
            else if (state.Id == transition.To)
            {
                // To itself: a small loop on the right.
                var (sx, sy) = (fx + width[state.Id], fy + (BoxHeight / 2));
                path = F($"M {sx:0.#} {sy - 8:0.#} C {sx + 40:0.#} {sy - 30:0.#}, {sx + 40:0.#} {sy + 30:0.#}, {sx + 2:0.#} {sy + 8:0.#}");
                (lx, ly) = (sx + 34, sy);
                dashed = true;
            }
            else
            {
                // Out of the box's side to its lane, along the lane, and into the target's side; a loop back up is dashed.
                var lane = lanes[(state.Id, transition.To, transition.On)];
                var direction = right ? 1 : -1;
                var (sx, ex) = right ? (fx + width[state.Id], tx + width[transition.To] + 2) : (fx, tx - 2);
                var (sy, ey) = (fy + (BoxHeight / 2) + 6, ty + (BoxHeight / 2) - 6);
                var down = ey > sy ? 1 : -1;
                const double R = 8;
                path = F($"M {sx:0.#} {sy:0.#} L {lane - (direction * R):0.#} {sy:0.#} Q {lane:0.#} {sy:0.#}, {lane:0.#} {sy + (down * R):0.#} L {lane:0.#} {ey - (down * R):0.#} Q {lane:0.#} {ey:0.#}, {lane - (direction * R):0.#} {ey:0.#} L {ex:0.#} {ey:0.#}");
                (lx, ly) = (lane, sy + ((ey - sy) * 0.5));
                dashed = span <= 0;
            }

            var current = state.Id == currentState ? " kcc-diagram__edge--from-current" : string.Empty;
            edges.Append(F($"<path class=\"kcc-diagram__edge{current}\" d=\"{path}\" fill=\"none\" stroke=\"#505a5f\" stroke-width=\"1.5\"{(dashed ? " stroke-dasharray=\"5 4\"" : string.Empty)} marker-end=\"url(#kcc-arrow)\" data-from=\"{Xml(state.Id)}\" data-to=\"{Xml(transition.To)}\"/>"));
            var labelWidth = (label.Length * SmallCharWidth) + 6;
            (lx, ly) = Place(placed, lx, ly, labelWidth);
            labels.Append(F($"<g class=\"kcc-diagram__label\"><rect x=\"{lx - (labelWidth / 2):0.#}\" y=\"{ly - 9:0.#}\" width=\"{labelWidth:0.#}\" height=\"16\" fill=\"#ffffff\" opacity=\"0.9\"/><text x=\"{lx:0.#}\" y=\"{ly + 3:0.#}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#0b0c0c\">{Xml(label)}</text></g>"));
        }

        var nodes = new StringBuilder();
        foreach (var state in definition.States.Where(s => x.ContainsKey(s.Id)))
        {
            var isCurrent = state.Id == currentState;
            var isStart = state.Id == definition.StartState;
            var (sx, sy, w) = (x[state.Id], y[state.Id], width[state.Id]);
            var fill = isCurrent ? "#1d70b8" : state.Terminal ? "#f3f2f1" : "#ffffff";
            var ink = isCurrent ? "#ffffff" : "#0b0c0c";
            var classes = "kcc-diagram__state" + (isCurrent ? " kcc-diagram__state--current" : string.Empty) + (state.Terminal ? " kcc-diagram__state--terminal" : string.Empty);
            nodes.Append(F($"<g class=\"{classes}\" data-state=\"{Xml(state.Id)}\"{(isCurrent ? " data-current=\"true\"" : string.Empty)}>"));
            nodes.Append(F($"<rect x=\"{sx:0.#}\" y=\"{sy:0.#}\" width=\"{w:0.#}\" height=\"{BoxHeight}\" rx=\"{(state.Terminal ? 4 : 10)}\" fill=\"{fill}\" stroke=\"#0b0c0c\" stroke-width=\"{(isCurrent || isStart ? 3 : 1.5)}\"/>"));
            if (state.Terminal)
            {
                nodes.Append(F($"<rect x=\"{sx + 3:0.#}\" y=\"{sy + 3:0.#}\" width=\"{w - 6:0.#}\" height=\"{BoxHeight - 6}\" rx=\"2\" fill=\"none\" stroke=\"{ink}\" stroke-width=\"1\"/>"));
            }

            var note = Note(state);
            nodes.Append(F($"<text x=\"{sx + (w / 2):0.#}\" y=\"{sy + (note is null ? 27 : 19):0.#}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"700\" fill=\"{ink}\">{Xml(WorkflowLabels.State(state.Id))}</text>"));
            if (note is not null)
            {
                nodes.Append(F($"<text x=\"{sx + (w / 2):0.#}\" y=\"{sy + 35:0.#}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{ink}\">{Xml(note)}</text>"));
            }

            nodes.Append("</g>");
        }

        var totalWidth = (2 * (Margin + side)) + contentWidth;
        var totalHeight = header + (rows.Count * RowGap) + Margin;
        var svg = new StringBuilder();
        var titleId = "kcc-diagram-title-" + definition.Id;
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"kcc-diagram\" role=\"img\" aria-labelledby=\"{Xml(titleId)}\" viewBox=\"0 0 {totalWidth:0.#} {totalHeight:0.#}\" width=\"{totalWidth:0.#}\" height=\"{totalHeight:0.#}\" font-family=\"arial, sans-serif\">"));
        svg.Append(F($"<title id=\"{Xml(titleId)}\">{Xml(definition.Title)}: state diagram{(currentState is null ? string.Empty : ", the case is in " + Xml(WorkflowLabels.State(currentState)))}. The table that follows lists the same transitions.</title>"));
        svg.Append("<defs><marker id=\"kcc-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#505a5f\"/></marker></defs>");
        svg.Append(F($"<text x=\"{Margin}\" y=\"28\" font-size=\"16\" font-weight=\"700\" fill=\"#0b0c0c\">{Xml(definition.Title)}</text>"));
        var line = 0;
        foreach (var transition in definition.AnyState)
        {
            svg.Append(F($"<text x=\"{Margin}\" y=\"{48 + (line++ * 18)}\" font-size=\"12\" fill=\"#0b0c0c\">From any open state, on {Xml(Describe(transition))}: to {Xml(WorkflowLabels.State(transition.To))}</text>"));
        }

        svg.Append(edges).Append(nodes).Append(labels).Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// Rows: a transition back to a state already on the way from the start (a loop) is set aside, and every other
    /// transition points down, so each state sits one row below the lowest state that leads to it. States reached only
    /// from "any open state" go in the last row.
    /// </summary>
    private static List<List<string>> Rows(WorkflowDefinition definition, Dictionary<string, StateDefinition> states)
    {
        var back = BackEdges(definition, states);
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int Depth(string id, HashSet<string> visiting)
        {
            if (depth.TryGetValue(id, out var known))
            {
                return known;
            }

            visiting.Add(id);
            var deepest = id == definition.StartState ? 0 : -1;
            foreach (var from in definition.States)
            {
                foreach (var transition in from.Transitions)
                {
                    if (transition.To == id && !back.Contains((from.Id, id)) && from.Id != id && !visiting.Contains(from.Id))
                    {
                        var above = Depth(from.Id, visiting);
                        if (above >= 0)
                        {
                            deepest = Math.Max(deepest, above + 1);
                        }
                    }
                }
            }

            visiting.Remove(id);
            depth[id] = deepest;
            return deepest;
        }

        foreach (var state in definition.States)
        {
            Depth(state.Id, new HashSet<string>(StringComparer.Ordinal));
        }

        var last = depth.Values.Max() + 1;
        foreach (var id in depth.Where(d => d.Value < 0).Select(d => d.Key).ToList())
        {
            depth[id] = last;
        }

        var rows = definition.States.GroupBy(s => depth[s.Id]).OrderBy(g => g.Key).Select(g => g.Select(s => s.Id).ToList()).ToList();

        // Order each row by where the states it is reached from sit in the rows above (a few passes of the barycentre
        // heuristic): fewer crossing arrows.
        var predecessors = definition.States.ToDictionary(s => s.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var state in definition.States)
        {
            foreach (var transition in state.Transitions.Where(t => predecessors.ContainsKey(t.To) && depth[t.To] > depth[state.Id]))
            {
                predecessors[transition.To].Add(state.Id);
            }
        }

        for (var pass = 0; pass < 4; pass++)
        {
            var position = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var r in rows)
            {
                for (var i = 0; i < r.Count; i++)
                {
                    position[r[i]] = r.Count == 1 ? 0.5 : (double)i / (r.Count - 1);
                }
            }

            foreach (var r in rows.Skip(1))
            {
                var order = r.Select((id, i) => (id, key: predecessors[id].Count == 0 ? position[id] : predecessors[id].Average(p => position[p]), i))
                    .OrderBy(e => e.key).ThenBy(e => e.i).Select(e => e.id).ToList();
                r.Clear();
                r.AddRange(order);
                for (var i = 0; i < r.Count; i++)
                {
                    position[r[i]] = r.Count == 1 ? 0.5 : (double)i / (r.Count - 1);
                }
            }
        }

        return rows;
    }

    // A label that would overlap a box or a label already placed moves up or down, a little further each time, until clear.
    private static (double X, double Y) Place(List<(double X, double Y, double Width, double Height)> placed, double x, double y, double width)
    {
        foreach (var shift in new[] { 0, -8, 8, -16, 16, -24, 24, -32, 32, -40, 40 })
        {
            var candidate = y + shift;
            if (!placed.Any(p => Math.Abs(p.X - x) < (p.Width + width) / 2 && Math.Abs(p.Y - candidate) < (p.Height + 16) / 2))
            {
                placed.Add((x, candidate, width, 16));
                return (x, candidate);
            }
        }

        placed.Add((x, y, width, 16));
        return (x, y);
    }

    private static double Cubic(double p0, double p1, double p2, double p3, double t) =>
        (Math.Pow(1 - t, 3) * p0) + (3 * Math.Pow(1 - t, 2) * t * p1) + (3 * (1 - t) * t * t * p2) + (Math.Pow(t, 3) * p3);

    /// <summary>Transitions that go back to a state on the current path of a depth-first walk from the start: the loops.</summary>
    private static HashSet<(string From, string To)> BackEdges(WorkflowDefinition definition, Dictionary<string, StateDefinition> states)
    {
        var back = new HashSet<(string, string)>();
        var onPath = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        void Walk(string id)
        {
            onPath.Add(id);
            foreach (var next in states[id].Transitions.Select(t => t.To).Where(states.ContainsKey))
            {
                if (onPath.Contains(next))
                {
                    back.Add((id, next));
                }
                else if (!done.Contains(next))
                {
                    Walk(next);
                }
            }

            onPath.Remove(id);
            done.Add(id);
        }

        if (states.ContainsKey(definition.StartState))
        {
            Walk(definition.StartState);
        }

        return back;
    }

    /// <summary>What happens in the state, on the box's second line.</summary>
    private static string? Note(StateDefinition state)
    {
        var parts = new List<string>();
        if (state.Task is { } task)
        {
            parts.Add("task: " + task.Title);
        }

        if (state.Activity is { } activity)
        {
            parts.Add(WorkflowLabels.Words(activity.Kind).ToLowerInvariant());
        }

        if (state.Clock is { } clock)
        {
            parts.Add("clock " + clock.Action.ToString().ToLowerInvariant());
        }

        return parts.Count == 0 ? null : string.Join(" · ", parts);
    }

    public static string Describe(TransitionDefinition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        // People read the diagram: labels, never slugs (issue 14 item 3).
        return WorkflowLabels.Event(transition.On) + (transition.When is { } when ? " (if " + WorkflowLabels.Words(when).ToLowerInvariant() + ")" : "");
    }

    private static string Xml(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
