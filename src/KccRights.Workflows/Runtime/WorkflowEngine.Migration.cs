using Dapper;
using KccRights.Domain.Deadlines;
using Npgsql;

namespace KccRights.Workflows.Runtime;

// Version migration: the instance-level moves behind VersionMigrator (kccrights workflows migrate).
public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Moves every running instance of <paramref name="fromVersion"/> to <paramref name="toVersion"/>, mapping states by
    /// <paramref name="stateMap"/> (a state not in the map keeps its name and must exist in the new version). Open tasks
    /// stay open; timers are armed again from the new version where their schedules had got to (none fires twice).
    /// Nothing is changed when any instance cannot be mapped. Returns the instances moved, by old state.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, int>> MigrateInstancesAsync(NpgsqlTransaction transaction, string definitionId, string fromVersion, string toVersion, IReadOnlyDictionary<string, string> stateMap, string actor, CancellationToken cancellationToken)
    {
        var from = await _definitions.GetAsync(transaction, definitionId, fromVersion, cancellationToken);
        var to = await _definitions.GetAsync(transaction, definitionId, toVersion, cancellationToken);
        var problems = new List<string>();
        foreach (var (oldState, newState) in stateMap)
        {
            if (from.States.All(s => s.Id != oldState))
            {
                problems.Add($"--map {oldState}={newState}: the old version has no state '{oldState}'");
            }

            if (to.States.All(s => s.Id != newState))
            {
                problems.Add($"--map {oldState}={newState}: the new version has no state '{newState}'");
            }
        }

        var instances = (await transaction.Connection!.QueryAsync<InstanceRow>(new CommandDefinition(
            $"SELECT {InstanceColumns} FROM workflow_instances WHERE definition_id = @definitionId AND definition_version = @fromVersion AND status = 'running' ORDER BY id FOR UPDATE",
            new { definitionId, fromVersion },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        foreach (var state in instances.Select(i => i.State).Distinct(StringComparer.Ordinal))
        {
            var target = stateMap.GetValueOrDefault(state) ?? state;
            if (to.States.FirstOrDefault(s => s.Id == target) is not { } targetState)
            {
                problems.Add($"running instances are in state '{state}', which the new version does not have: add --map {state}=NEW-STATE");
            }
            else if (targetState.Terminal)
            {
                problems.Add($"state '{state}' maps to the terminal state '{target}': finish cases through their workflow, not by migration");
            }
        }

        if (problems.Count > 0)
        {
            throw new WorkflowException(string.Join("; ", problems.Distinct()));
        }

        // Timer occurrences that already ran (or are running) under the old version. Their keys are the same in the new
        // version (same instance, state entry and timer id), so re-arming joins each schedule where it had got to:
        // nothing fires twice and a repeating timer keeps repeating. Pending ones are cancelled below and armed again.
        // A timer the old version had that has no pending job has ended (it fired and does not repeat, its event moved
        // the case, or it waits for the clock to resume, which arms it again): it is not started again.
        var keys = (await transaction.Connection!.QueryAsync<(string Key, string Status)>(new CommandDefinition(
            "SELECT dedupe_key, status FROM jobs WHERE instance_id = ANY(@ids) AND origin = 'timer' AND dedupe_key IS NOT NULL AND status <> 'cancelled'",
            new { ids = instances.Select(i => i.Id).ToArray() },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        var fired = keys.Where(k => k.Status != "pending").Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        var pending = keys.Where(k => k.Status == "pending").Select(k => k.Key[..k.Key.LastIndexOf(':')]).ToHashSet(StringComparer.Ordinal);
        var moved = new Dictionary<string, int>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        foreach (var instance in instances)
        {
            var target = State(to, stateMap.GetValueOrDefault(instance.State) ?? instance.State);
            var batch = new StepBatch(transaction);
            batch.Add("UPDATE workflow_instances SET definition_version = $2, state = $3, row_version = row_version + 1, updated_at = $4 WHERE id = $1", instance.Id, toVersion, target.Id, now);
            if (target.Task is not null)
            {
                batch.Add("UPDATE workflow_tasks SET state = $2 WHERE instance_id = $1 AND state_seq = $3 AND status = 'open'", instance.Id, target.Id, instance.StateSeq);
            }
            else
            {
                // The new version's state has no task: an open one would never be closed by leaving it.
                batch.Add("UPDATE workflow_tasks SET status = 'cancelled', completed_at = $3 WHERE instance_id = $1 AND state_seq = $2 AND status = 'open'", instance.Id, instance.StateSeq, now);
            }

            var oldActivity = State(from, instance.State).Activity?.Kind;
            if (target.Activity?.Kind != oldActivity)
            {
                // The state's activity changed: one still waiting to run for the old one goes, and the new state's
                // activity is enqueued, or the instance would wait for an outcome that never comes.
                batch.Add("UPDATE jobs SET status = 'cancelled', finished_at = $3 WHERE instance_id = $1 AND state_seq = $2 AND status = 'pending' AND origin = 'activity'", instance.Id, instance.StateSeq, now);
                EnqueueActivity(batch, instance with { State = target.Id }, target);
            }

            batch.Add("UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE instance_id = $1 AND status = 'pending' AND origin = 'timer'", instance.Id, now);
            Log(batch, instance, "migrated", instance.State, target.Id, null, actor, new { fromVersion, toVersion });
            var migrated = instance with { State = target.Id, DefinitionVersion = toVersion };
            CaseDates? dates = null;
            var loaded = false;
            async Task<CaseDates?> Dates()
            {
                if (!loaded)
                {
                    dates = await _clocks.DatesAsync(transaction, instance.CaseId, cancellationToken);
                    loaded = true;
                }

                return dates;
            }

            var oldStateTimers = State(from, instance.State).Timers.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            var oldInstanceTimers = from.Timers.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var timer in target.Timers)
            {
                if (!oldStateTimers.Contains(timer.Id) || pending.Contains(TimerScheduler.TimerScope(instance.Id, instance.StateSeq, timer.Id)))
                {
                    await _timers.RearmAsync(batch, migrated, timer, instance.StateSeq, instance.StateEnteredAt, Dates, fired, cancellationToken);
                }
            }

            foreach (var timer in to.Timers)
            {
                if (!oldInstanceTimers.Contains(timer.Id) || pending.Contains(TimerScheduler.TimerScope(instance.Id, null, timer.Id)))
                {
                    await _timers.RearmAsync(batch, migrated, timer, null, instance.CreatedAt, Dates, fired, cancellationToken);
                }
            }

            await batch.FlushAsync(cancellationToken);
            moved[instance.State] = moved.GetValueOrDefault(instance.State) + 1;
        }

        return moved;
    }
}
