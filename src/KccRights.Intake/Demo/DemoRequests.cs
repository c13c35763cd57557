using System.Text.Json;
using Dapper;
using KccRights.Domain.Deadlines;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Intake.Demo;

/// <summary>
/// <c>serve --demo</c>: the demonstration cases are real (issue 14 item 6). Into an empty database, example emails
/// (<c>src/KccRights.Intake/Demo/emails/</c>, copied beside the executable; no real people) go through intake as if
/// they had reached the mailbox days ago: stored, classified, opened as cases with their requester, clock and workflow,
/// and acknowledged by the workflow workers. Two are then triaged by a demonstration officer so the cases stand at different stages (triage, waiting for
/// ID, waiting for clarification) and at different points of the statutory month.
/// </summary>
public sealed partial class DemoRequests(
    NpgsqlDataSource dataSource,
    InboundMessageStore store,
    IntakeProcessor processor,
    WorkflowEngine workflows,
    TimeProvider time,
    ILogger<DemoRequests> logger) : IHostedService
{
    private const string Officer = "demo-officer";

    /// <summary>Each example email, how many days ago it arrived, and the officer's triage (null: left for triage).</summary>
    private static readonly (string File, int DaysAgo, string? Triage)[] Seeds =
    [
        ("06-objection-data-set.eml", 1, null),
        ("03-solicitor-with-authority.eml", 3, "clarification"),
        ("04-erasure-exclusion.eml", 10, null),
        ("02-parent-for-child.eml", 16, "identity"),
        ("05-rectification-attendance.eml", 26, null),
    ];

    public static string EmailsDirectory => Path.Combine(AppContext.BaseDirectory, "Demo", "emails");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            if (await connection.ExecuteScalarAsync<long>("SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM inbound_messages)") > 0)
            {
                return;
            }
        }

        var today = LondonTime.Today(time);
        var opened = 0;
        foreach (var (file, daysAgo, triage) in Seeds)
        {
            var raw = await File.ReadAllBytesAsync(Path.Combine(EmailsDirectory, file), cancellationToken);
            var receivedAt = LondonTime.At(today.AddDays(-daysAgo), new TimeOnly(9, 30));
            var stored = await store.StoreAsync(raw, receivedAt, "demo", cancellationToken: cancellationToken);
            // Intake's own sweep may take the message first (it looks for stored, unprocessed mail): either way, the
            // cases it opened are read back from the message's links.
            await processor.ProcessAsync(stored.Id, cancellationToken);
            var references = await OpenedFromAsync(stored.Id, cancellationToken);
            if (references.Count == 0)
            {
                Log.NotOpened(logger, file);
                continue;
            }

            opened += references.Count;
            if (triage is not null)
            {
                await TriageAsync(references[0], triage, cancellationToken);
            }
        }

        Log.Seeded(logger, opened);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<IReadOnlyList<string>> OpenedFromAsync(long inboundId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var references = (await connection.QueryAsync<string>(new CommandDefinition(
                """
                SELECT c.reference FROM messages_cases mc JOIN cases c ON c.id = mc.case_id
                WHERE mc.inbound_message_id = @inboundId AND mc.role = 'request' ORDER BY c.id
                """,
                new { inboundId },
                cancellationToken: cancellationToken))).ToList();
            if (references.Count > 0 || attempt >= 50)
            {
                return references;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }

    /// <summary>Completes the case's triage task as an officer would: identity in doubt (Art 12(6)) or scope unclear (Art 12A(5)).</summary>
    private async Task TriageAsync(string reference, string decision, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var taskId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT t.id FROM workflow_tasks t JOIN cases c ON c.id = t.case_id
            WHERE c.reference = @reference AND t.type = 'triage' AND t.status = 'open' ORDER BY t.id LIMIT 1
            """,
            new { reference },
            transaction,
            cancellationToken: cancellationToken));
        if (taskId is null)
        {
            Log.NoTriageTask(logger, reference);
            return;
        }

        using var form = JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            identityInDoubt = decision == "identity",
            clarificationNeeded = decision == "clarification",
            manifestlyUnfoundedOrExcessive = false,
        }));
        await workflows.CompleteTaskAsync(transaction, taskId.Value, "triaged", form.RootElement, Officer, take: true, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(102, LogLevel.Information, "Seeded {Count} demonstration cases from example emails, through intake")]
        public static partial void Seeded(ILogger logger, int count);

        [LoggerMessage(103, LogLevel.Warning, "The demonstration email {File} opened no case")]
        public static partial void NotOpened(ILogger logger, string file);

        [LoggerMessage(104, LogLevel.Warning, "Demonstration case {Reference} has no open triage task to complete")]
        public static partial void NoTriageTask(ILogger logger, string reference);
    }
}
