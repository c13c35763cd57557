using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// A step's statements are executed prepared, whichever of their parameters are null: a bare null has no type, and a
/// statement whose parameter types change between calls is parsed and planned again each time by Npgsql.
/// </summary>
public class StepStatementTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task LogInsert_StaysPrepared_WhenDifferentParametersAreNull()
    {
        await using var h = await WorkflowHarness.CreateAsync(Start);
        var running = await h.OpenCaseAsync(Right.Access);
        long withoutWorkflow;
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            (withoutWorkflow, _) = await CaseStore.CreateAsync(transaction, Right.Access, LondonTime.DateOf(Start).Year, "email");
            await transaction.CommitAsync();
        }

        await using var mine = await h.DataSource.OpenConnectionAsync();
        for (var i = 0; i < 6; i++)
        {
            // Ignored on a running case: state and event given, no target state.
            await using (var transaction = await mine.BeginTransactionAsync())
            {
                Assert.That(await h.Engine.RaiseAsync(transaction, running, "no-such-event", null, "officer-a"), Is.False);
                await transaction.CommitAsync();
            }

            // Ignored with no workflow: no instance, version or states either.
            await using (var transaction = await mine.BeginTransactionAsync())
            {
                Assert.That(await h.Engine.RaiseAsync(transaction, withoutWorkflow, "no-such-event", null, "officer-a"), Is.False);
                await transaction.CommitAsync();
            }
        }

        var uses = await mine.ExecuteScalarAsync<long>(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO workflow_log%'");
        Assert.Multiple(async () =>
        {
            Assert.That(uses, Is.GreaterThanOrEqualTo(10), "12 log inserts; automatic preparation starts at the second use");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE kind = 'ignored'"), Is.EqualTo(12));
        });
    }
}
