using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// Leases are granted, renewed and judged on the database's clock (issue 9, Build 9): two workers whose clocks disagree
/// by 25 s, each with its own <see cref="TimeProvider"/>, share one database and one clock for leases.
/// </summary>
public class LeaseClockTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(25);

    private static async Task<WorkflowHarness> HarnessAsync(DateTimeOffset now, double leaseSeconds) =>
        await WorkflowHarness.CreateAsync(now, options: o =>
        {
            o.LeaseSeconds = leaseSeconds;
            o.HeartbeatSeconds = leaseSeconds / 2;
        });

    private static async Task<long> EnqueueAsync(WorkflowHarness h, DateTimeOffset runAt)
    {
        await using var connection = await h.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await h.Services.GetRequiredService<IJobQueue>().EnqueueAsync(transaction, "test-effect", new { n = 1 }, runAt: runAt);
        await transaction.CommitAsync();
        return id;
    }

    private static JobStore StoreWithClock(WorkflowHarness h, DateTimeOffset now) => new(h.DataSource, new FakeTimeProvider(now), h.Jobs.Options);

    private static Task<string> HolderAsync(WorkflowHarness h, long jobId) =>
        h.ScalarAsync<string>("SELECT status || ':' || coalesce(lease_owner, '-') || ':' || attempts FROM jobs WHERE id = @jobId", new { jobId });

    [Test]
    public async Task WorkerWhoseClockRuns25SecondsFast_DoesNotTakeOverALiveLease()
    {
        // Worker A's clock is right; worker B's runs 25 s fast. With a 20 s lease, A's lease has lapsed by B's clock the
        // moment A takes it; on the database clock it has 20 s to run.
        var now = DateTimeOffset.UtcNow;
        await using var h = await HarnessAsync(now, leaseSeconds: 20);
        var fast = StoreWithClock(h, now + Skew);
        var jobId = await EnqueueAsync(h, now);
        var held = await h.Jobs.ClaimAsync("worker-a");
        Assert.That(held?.Id, Is.EqualTo(jobId));

        Assert.Multiple(async () =>
        {
            Assert.That(await fast.ReclaimExpiredAsync(), Is.Zero, "the fast worker's sweep leaves the live lease alone");
            Assert.That(await fast.ClaimAsync("worker-b"), Is.Null, "nor can it claim the job");
            Assert.That(await HolderAsync(h, jobId), Is.EqualTo("running:worker-a:1"));
        });

        // A renews its lease, which the fast worker still leaves alone; A's work commits.
        Assert.Multiple(async () =>
        {
            Assert.That(await h.Jobs.HeartbeatAsync(held!), Is.True);
            Assert.That(await fast.ReclaimExpiredAsync(), Is.Zero);
            Assert.That(await HolderAsync(h, jobId), Is.EqualTo("running:worker-a:1"));
        });
    }

    [Test]
    public async Task WorkerWhoseClockRuns25SecondsSlow_GrantsALeaseThatHoldsForTheOthers()
    {
        // Worker A's clock runs 25 s slow: by its own clock, its 20 s lease would have lapsed 5 s ago for everyone else.
        var now = DateTimeOffset.UtcNow;
        await using var h = await HarnessAsync(now, leaseSeconds: 20);
        var slow = StoreWithClock(h, now - Skew);
        var jobId = await EnqueueAsync(h, now - TimeSpan.FromMinutes(1));
        Assert.That((await slow.ClaimAsync("worker-a"))?.Id, Is.EqualTo(jobId));

        Assert.Multiple(async () =>
        {
            Assert.That(await h.Jobs.ReclaimExpiredAsync(), Is.Zero, "a worker with the right clock leaves the slow worker's live lease alone");
            Assert.That(await HolderAsync(h, jobId), Is.EqualTo("running:worker-a:1"));
        });
    }

    [Test]
    public async Task LeaseThatRunsOut_OnTheDatabaseClock_IsTakenBack_WhateverTheSweepersClockSays()
    {
        // A one-second lease runs out in real time; the sweeping worker's clock runs 25 s slow, and still sees it lapse.
        var now = DateTimeOffset.UtcNow;
        await using var h = await HarnessAsync(now, leaseSeconds: 1);
        var slow = StoreWithClock(h, now - Skew);
        var jobId = await EnqueueAsync(h, now);
        Assert.That((await h.Jobs.ClaimAsync("worker-that-dies"))?.Id, Is.EqualTo(jobId));
        Assert.That(await slow.ReclaimExpiredAsync(), Is.Zero, "not yet: the lease is live");

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Multiple(async () =>
        {
            Assert.That(await slow.ReclaimExpiredAsync(), Is.EqualTo(1));
            Assert.That(await HolderAsync(h, jobId), Is.EqualTo("pending:-:1"));
        });
    }

    [Test]
    public async Task JobTakenBackByAWorkerWhoseClockRunsFast_IsDueAtOnceForTheOthers()
    {
        var now = DateTimeOffset.UtcNow;
        await using var h = await HarnessAsync(now, leaseSeconds: 1);
        var fast = StoreWithClock(h, now + Skew);
        var jobId = await EnqueueAsync(h, now);
        Assert.That((await h.Jobs.ClaimAsync("worker-that-dies"))?.Id, Is.EqualTo(jobId));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.That(await fast.ReclaimExpiredAsync(), Is.EqualTo(1));
        h.Time.SetUtcNow(DateTimeOffset.UtcNow); // the other worker's clock is right
        Assert.Multiple(async () =>
        {
            Assert.That((await h.Jobs.ClaimAsync("worker-b"))?.Id, Is.EqualTo(jobId), "not 25 s later, when the fast clock says");
            Assert.That(await HolderAsync(h, jobId), Is.EqualTo("running:worker-b:2"));
        });
    }
}
