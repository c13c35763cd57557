using System.Globalization;
using KccRights.Workflows.Definitions;

namespace KccRights.Workflows.Validation;

/// <summary>
/// The checks a schema cannot make: names that must exist (states, activities, task types, conditions), ids that must be
/// unique or match the file name, states that cannot be reached or left, a definition with no end, and a sign-off that
/// does not say who may not complete it.
/// </summary>
public static class DefinitionValidator
{
    public static IReadOnlyList<DefinitionError> Validate(WorkflowDefinition definition, string file, WorkflowCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(catalog);
        var errors = new List<DefinitionError>();
        void Error(string path, string message) => errors.Add(new DefinitionError(file, path, message));

        var expectedId = Path.GetFileNameWithoutExtension(file);
        if (!string.Equals(definition.Id, expectedId, StringComparison.Ordinal))
        {
            Error("$.id", $"id '{definition.Id}' differs from the file name '{expectedId}'");
        }

        var states = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < definition.States.Count; i++)
        {
            if (!states.TryAdd(definition.States[i].Id, i))
            {
                Error(P($"$.states[{i}].id"), $"duplicate state id '{definition.States[i].Id}' (first at $.states[{states[definition.States[i].Id]}])");
            }
        }

        if (!states.ContainsKey(definition.StartState))
        {
            Error("$.startState", $"unknown state '{definition.StartState}'");
        }

        if (!definition.States.Any(s => s.Terminal))
        {
            Error("$.states", "no terminal state: an instance could never end");
        }

        var anyStateEvents = new HashSet<string>(definition.AnyState.Select(t => t.On), StringComparer.Ordinal);
        for (var j = 0; j < definition.AnyState.Count; j++)
        {
            CheckTransition(definition.AnyState[j], P($"$.anyState[{j}]"));
        }

        CheckTimers(definition.Timers, "$.timers", instanceScope: true, state: null);

        for (var i = 0; i < definition.States.Count; i++)
        {
            var state = definition.States[i];
            var path = P($"$.states[{i}]");
            for (var j = 0; j < state.Transitions.Count; j++)
            {
                CheckTransition(state.Transitions[j], P($"{path}.transitions[{j}]"));
            }

            if (state.Terminal)
            {
                if (state.Transitions.Count > 0)
                {
                    Error(path + ".transitions", "a terminal state has no transitions");
                }

                if (state.Task is not null)
                {
                    Error(path + ".task", "a terminal state opens no task (the instance ends on entry)");
                }

                if (state.Timers.Count > 0)
                {
                    Error(path + ".timers", "a terminal state arms no timers (the instance ends on entry)");
                }
            }
            else if (state.Transitions.Count == 0 && definition.AnyState.Count == 0)
            {
                Error(path, $"state '{state.Id}' is not terminal and has no transitions: an instance would stay there for ever");
            }

            if (state.Activity is { } activity && !catalog.ActivityKinds.Contains(activity.Kind))
            {
                Error(path + ".activity.kind", $"unknown activity '{activity.Kind}' (no job handler of that kind is registered)");
            }
            else if (state.Activity is { } letter && catalog.Templates is { } letterTemplates && letterTemplates.LetterKinds.Contains(letter.Kind))
            {
                CheckTemplate(letter.Kind, path + ".activity.kind");
            }

            if (state.Task is { } task)
            {
                if (!catalog.TaskTypes.Contains(task.Type))
                {
                    Error(path + ".task.type", $"unknown task type '{task.Type}'");
                }

                if (task.NotBySameActorAs is { Count: > 0 } others)
                {
                    // Each a task type (whoever completed the latest one) or an event that leads to this state (whoever
                    // raised it, e.g. the DPO who asked for an extension).
                    for (var n = 0; n < others.Count; n++)
                    {
                        var other = others[n];
                        if (!catalog.TaskTypes.Contains(other) && !EventsInto(state.Id).Contains(other))
                        {
                            Error(path + ".task.notBySameActorAs" + (others.Count > 1 ? $"[{n}]" : ""), $"'{other}' is neither a registered task type nor an event that leads to state '{state.Id}'");
                        }
                    }
                }
                else if (IsSignOff(state, task, catalog))
                {
                    // Separation of duties (PRODUCT.md 8, issue 9 item 5): an approval names whose work it approves.
                    Error(path + ".task.notBySameActorAs", $"state '{state.Id}' is a sign-off (task type '{task.Type}') and must name who may not complete it: the task type whose completer, or the event whose raiser, may not sign it off");
                }

                var outcomes = new HashSet<string>(StringComparer.Ordinal);
                for (var k = 0; k < task.Outcomes.Count; k++)
                {
                    var outcome = task.Outcomes[k];
                    if (!outcomes.Add(outcome))
                    {
                        Error(P($"{path}.task.outcomes[{k}]"), $"duplicate outcome '{outcome}'");
                    }
                    else if (!state.Transitions.Any(t => t.On == outcome) && !anyStateEvents.Contains(outcome))
                    {
                        Error(P($"{path}.task.outcomes[{k}]"), $"outcome '{outcome}' has no transition in state '{state.Id}'");
                    }
                }

                var fields = new HashSet<string>(StringComparer.Ordinal);
                for (var k = 0; k < task.Form.Count; k++)
                {
                    var field = task.Form[k];
                    if (!fields.Add(field.Name))
                    {
                        Error(P($"{path}.task.form[{k}].name"), $"duplicate form field '{field.Name}'");
                    }

                    if (field.Type == FormFieldType.Choice && (field.Options is null || field.Options.Count == 0))
                    {
                        Error(P($"{path}.task.form[{k}].options"), "a choice field needs options");
                    }
                }
            }

            if (state.Clock is { Action: ClockAction.Pause, Reason: null or "" })
            {
                Error(path + ".clock.reason", "a pause needs a reason (UK GDPR Art 12A(5))");
            }

            CheckTimers(state.Timers, path + ".timers", instanceScope: false, state);
        }

        CheckReachable();
        return errors;

        // The events of the transitions (anyState ones too) that lead to the state.
        HashSet<string> EventsInto(string stateId) =>
            definition.States.Where(s => !s.Terminal).SelectMany(s => s.Transitions).Concat(definition.AnyState)
                .Where(t => t.To == stateId).Select(t => t.On).ToHashSet(StringComparer.Ordinal);

        // A notification or letter with no wording of its own for one of the definition's rights would go out as
        // nothing, or as the wrong letter: refused at start instead (issue 14 item 5).
        void CheckTemplate(string template, string path)
        {
            if (catalog.Templates is not { } templates)
            {
                return;
            }

            foreach (var right in definition.Rights)
            {
                if (templates.Missing(template, right) is { } missing)
                {
                    Error(path, missing);
                }
            }
        }

        void CheckTransition(TransitionDefinition transition, string path)
        {
            if (!states.ContainsKey(transition.To))
            {
                Error(path + ".to", $"unknown target state '{transition.To}'");
            }

            if (transition.When is { } condition && !catalog.Conditions.Contains(condition))
            {
                Error(path + ".when", $"unknown condition '{condition}'");
            }
        }

        void CheckTimers(IReadOnlyList<TimerDefinition> timers, string basePath, bool instanceScope, StateDefinition? state)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; k < timers.Count; k++)
            {
                var timer = timers[k];
                var path = P($"{basePath}[{k}]");
                if (!ids.Add(timer.Id))
                {
                    Error(path + ".id", $"duplicate timer id '{timer.Id}'");
                }

                if ((timer.After is null) == (timer.At is null))
                {
                    Error(path, "give exactly one of 'after' and 'at'");
                }

                CheckOffset(timer.After is not null, timer.After?.Days, timer.After?.WorkingDays, path + ".after", requireOne: true);
                CheckOffset(timer.At is not null, timer.At?.Days, timer.At?.WorkingDays, path + ".at", requireOne: false);
                CheckOffset(timer.Repeat is not null, timer.Repeat?.Days, timer.Repeat?.WorkingDays, path + ".repeat", requireOne: true);
                if (timer.Repeat is { Days: 0 } or { WorkingDays: 0 })
                {
                    Error(path + ".repeat", "a repeat must be at least one day");
                }

                if (timer.Event is null && timer.Notify is null)
                {
                    Error(path, "a timer must raise an 'event' or send a 'notify' (or both)");
                }

                if (timer.Notify is { } notify)
                {
                    CheckTemplate(notify.Template, path + ".notify.template");
                }

                if (timer.When is { } condition && !catalog.Conditions.Contains(condition))
                {
                    Error(path + ".when", $"unknown condition '{condition}'");
                }

                if (!instanceScope && timer.SkipInStates.Count > 0)
                {
                    Error(path + ".skipInStates", "only instance timers skip states (a state timer runs only in its state)");
                }

                for (var s = 0; s < timer.SkipInStates.Count; s++)
                {
                    if (!states.ContainsKey(timer.SkipInStates[s]))
                    {
                        Error(P($"{path}.skipInStates[{s}]"), $"unknown state '{timer.SkipInStates[s]}'");
                    }
                }

                if (state is not null && timer.Event is { } ev && !state.Transitions.Any(t => t.On == ev) && !anyStateEvents.Contains(ev))
                {
                    Error(path + ".event", $"event '{ev}' has no transition in state '{state.Id}'");
                }
            }
        }

        void CheckOffset(bool present, int? days, int? workingDays, string path, bool requireOne)
        {
            if (!present)
            {
                return;
            }

            if (days is not null && workingDays is not null)
            {
                Error(path, "give 'days' or 'workingDays', not both");
            }
            else if (requireOne && days is null && workingDays is null)
            {
                Error(path, "give 'days' or 'workingDays'");
            }
        }

        void CheckReachable()
        {
            if (!states.TryGetValue(definition.StartState, out var start))
            {
                return;
            }

            var seen = new HashSet<int> { start };
            var queue = new Queue<int>([start]);
            while (queue.TryDequeue(out var index))
            {
                var state = definition.States[index];
                var edges = state.Terminal ? [] : state.Transitions.Concat(definition.AnyState);
                foreach (var transition in edges)
                {
                    if (states.TryGetValue(transition.To, out var next) && seen.Add(next))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            for (var i = 0; i < definition.States.Count; i++)
            {
                if (!seen.Contains(i) && states[definition.States[i].Id] == i)
                {
                    Error(P($"$.states[{i}]"), $"state '{definition.States[i].Id}' cannot be reached from the start state '{definition.StartState}'");
                }
            }
        }
    }

    /// <summary>
    /// A sign-off: a task whose registered type is a sign-off (<c>HumanTaskType.SignOff</c>: dpo-sign-off,
    /// redaction-check), or any task in a state whose id ends in <c>sign-off</c>. It must say, in <c>notBySameActorAs</c>,
    /// who may not complete it.
    /// </summary>
    public static bool IsSignOff(StateDefinition state, HumanTaskDefinition task, WorkflowCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.SignOffTaskTypes.Contains(task.Type) || state.Id.EndsWith("sign-off", StringComparison.Ordinal);
    }

    private static string P(FormattableString path) => path.ToString(CultureInfo.InvariantCulture);
}
