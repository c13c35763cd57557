using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Collation.Workflow;

/// <summary>Manual searches (issue 11 Build 6): when they are due, how often they are chased, what may be uploaded.</summary>
public sealed class ManualSearchOptions
{
    public const string Section = "Collation:ManualSearch";

    /// <summary>A manual search is due this many working days before the case's statutory due date (never before tomorrow).</summary>
    public int DueWorkingDaysBeforeDeadline { get; set; } = 5;

    /// <summary>A late manual search is chased every this many working days.</summary>
    public int ChaseEveryWorkingDays { get; set; } = 2;

    /// <summary>At most this many chasers per task.</summary>
    public int MaxChasers { get; set; } = 10;

    /// <summary>The largest file a record-owner may upload (bytes).</summary>
    public long MaxUploadBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>At most this many files per manual search.</summary>
    public int MaxFiles { get; set; } = 50;
}

/// <summary>A file a record-owner uploads in a manual search.</summary>
public sealed record ManualUpload(string FileName, byte[] Content);

/// <summary>
/// Manual searches: a record-owner task for a system collation could not reach (no connector, or one that kept failing),
/// due a configurable number of working days before the statutory due date and chased when late. Its uploads are checked
/// for type and size, sealed, and become case items with the uploader as their provenance.
/// </summary>
public sealed partial class ManualSearches(
    CollationStore store,
    SourceConnectors connectors,
    IWorkflowEngine engine,
    ICaseClock clock,
    DeadlineCalculator calculator,
    IJobQueue queue,
    IOptions<ManualSearchOptions> options,
    TimeProvider time,
    ILogger<ManualSearches> logger)
{
    public const string Uploaded = "uploaded";
    public const string NothingHeld = "nothing-held";

    public ManualSearchOptions Options => options.Value;

    /// <summary>
    /// Opens the manual search of <paramref name="system"/> for the case (in the caller's transaction, the case waiting
    /// in collation), routed to the system's record-owner team, and arms its first chaser. Returns the task id.
    /// </summary>
    public async Task<long?> OpenAsync(NpgsqlTransaction transaction, long caseId, string system, string reason, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var source = connectors.Options.Systems.FirstOrDefault(s => s.Id == system);
        var name = source?.Name is { Length: > 0 } n ? n : system;
        var now = time.GetUtcNow();
        var today = LondonTime.Today(time);
        var due = await DueOnAsync(transaction, caseId, today, cancellationToken);
        var taskId = await SideTasks.OpenAsync(
            transaction,
            caseId,
            new SideTask(CollationTaskTypes.ManualSearch, "record-owner", $"Search {name} by hand and upload what it holds", [Uploaded, NothingHeld], due, source?.RecordOwnerTeam),
            actor,
            now,
            cancellationToken);
        if (taskId is not { } id)
        {
            return null;
        }

        await CollationFlow.SetAsync(transaction, caseId, system, "manual", 0, reason, now, cancellationToken, manualTaskId: id);
        await queue.EnqueueAsync(
            transaction,
            ManualSearchChaserHandler.JobKind,
            new { taskId = id, system, chaser = 1 },
            caseId,
            runAt: LondonTime.At(due.AddDays(1), new TimeOnly(8, 0)),
            dedupeKey: string.Create(CultureInfo.InvariantCulture, $"manual-search-chaser:{id}:1"),
            cancellationToken: cancellationToken);
        Log.Opened(logger, caseId, system, id);
        return id;
    }

    /// <summary>The due date: the configured working days before the statutory due date, never before the next working day.</summary>
    public async Task<DateOnly> DueOnAsync(NpgsqlTransaction transaction, long caseId, DateOnly today, CancellationToken cancellationToken)
    {
        var earliest = calculator.AddWorkingDays(today, 1);
        var dates = await clock.DatesAsync(transaction, caseId, cancellationToken);
        if (dates is null)
        {
            return calculator.AddWorkingDays(today, Options.DueWorkingDaysBeforeDeadline);
        }

        var due = calculator.AddWorkingDays(dates.EffectiveDueOn, -Options.DueWorkingDaysBeforeDeadline);
        return due < earliest ? earliest : due;
    }

    /// <summary>
    /// Checks a manual search's uploads before anything is stored: each file's type (by its bytes, not its name) and
    /// size. Returns the problems in words, one per file refused.
    /// </summary>
    public IReadOnlyList<string> Check(IReadOnlyList<ManualUpload> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var problems = new List<string>();
        if (files.Count > Options.MaxFiles)
        {
            problems.Add($"Upload at most {Options.MaxFiles} files at once.");
        }

        foreach (var file in files)
        {
            var name = SafeName(file.FileName);
            if (file.Content.Length == 0)
            {
                problems.Add($"{name} is empty.");
            }
            else if (file.Content.Length > Options.MaxUploadBytes)
            {
                problems.Add($"{name} is {file.Content.Length / (1024 * 1024.0):0.0} MB; files must be {Options.MaxUploadBytes / (1024 * 1024)} MB or smaller.");
            }
            else if (UploadTypes.Detect(name, file.Content) is null)
            {
                problems.Add($"{name} must be a PDF, a Word document (.docx), an email (.eml), a text file, or a PNG or JPEG image.");
            }
        }

        return problems;
    }

    /// <summary>
    /// Records a manual search's result in the caller's transaction (with the task being completed in it): the checked
    /// uploads become items of the system with the uploader as provenance, the system is marked searched, and when it
    /// was the last one the case moves on. Throws <see cref="CollationRefusedException"/> when the task is not an open
    /// manual search or a file is refused.
    /// </summary>
    public async Task RecordAsync(NpgsqlTransaction transaction, long caseId, long taskId, string outcome, IReadOnlyList<ManualUpload> files, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(files);
        if (outcome == Uploaded && files.Count == 0)
        {
            throw new CollationRefusedException("Choose the files to upload, or choose that nothing is held.");
        }

        if (outcome == NothingHeld && files.Count > 0)
        {
            throw new CollationRefusedException("You chose that nothing is held but also chose files: upload them, or remove them.");
        }

        if (Check(files) is { Count: > 0 } problems)
        {
            throw new CollationRefusedException(string.Join(" ", problems));
        }

        await CollationFlow.LockAsync(transaction, caseId, cancellationToken);
        var system = await transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT system FROM collation_runs WHERE case_id = @caseId AND manual_task_id = @taskId",
            new { caseId, taskId },
            transaction,
            cancellationToken: cancellationToken)) ?? throw new CollationRefusedException("This task is not a manual search of this case.");
        var now = time.GetUtcNow();
        foreach (var file in files)
        {
            var name = SafeName(file.FileName);
            var mediaType = UploadTypes.Detect(name, file.Content)!;
            var text = DocumentText.Extract(name, file.Content);
            var recordId = string.Create(CultureInfo.InvariantCulture, $"task-{taskId}/{name}");
            await store.StoreUploadAsync(transaction, caseId, system, recordId, new SourceAttachment(name, mediaType, file.Content, text), actor, now, cancellationToken);
        }

        var items = await transaction.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM collation_item_sources WHERE case_id = @caseId AND system = @system",
            new { caseId, system },
            transaction,
            cancellationToken: cancellationToken));
        await CollationFlow.SetAsync(transaction, caseId, system, "searched", items, outcome == NothingHeld ? "searched by hand: nothing held" : null, now, cancellationToken, searchedBy: actor);
        await CollationFlow.MoveOnWhenFinishedAsync(transaction, engine, caseId, actor, cancellationToken);
        Log.Recorded(logger, caseId, system, taskId, files.Count);
    }

    /// <summary>A file name safe to store and show: the last path segment, control characters removed, at most 120 characters.</summary>
    public static string SafeName(string? fileName)
    {
        var last = Path.GetFileName((fileName ?? "").Replace('\\', '/')) ?? "";
        var clean = new StringBuilder();
        foreach (var c in last)
        {
            clean.Append(char.IsControl(c) || c is '/' or '<' or '>' or '"' ? '_' : c);
        }

        var name = clean.ToString().Trim();
        return name.Length == 0 ? "upload" : name.Length > 120 ? name[..120] : name;
    }

    private static partial class Log
    {
        [LoggerMessage(1140, LogLevel.Warning, "Case {CaseId}: manual search of {System} opened (task {TaskId})")]
        public static partial void Opened(ILogger logger, long caseId, string system, long taskId);

        [LoggerMessage(1141, LogLevel.Information, "Case {CaseId}: manual search of {System} recorded (task {TaskId}, {Files} files)")]
        public static partial void Recorded(ILogger logger, long caseId, string system, long taskId, int files);
    }
}

/// <summary>What an upload is, by its first bytes (its name only tells text from email and DOCX from other ZIPs).</summary>
public static class UploadTypes
{
    public static string? Detect(string fileName, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var ext = Path.GetExtension(fileName).ToLowerInvariant();
        ReadOnlySpan<byte> head = content.AsSpan(0, Math.Min(content.Length, 16));
        if (head.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]) && ext == ".docx")
        {
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if ((ext is ".eml" or ".txt" or ".csv" or ".md") && IsText(content))
        {
            return ext == ".eml" ? "message/rfc822" : "text/plain";
        }

        return null;
    }

    private static bool IsText(byte[] content)
    {
        if (content.AsSpan().Contains((byte)0))
        {
            return false;
        }

        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}

/// <summary>
/// <c>manual-search-chaser</c>: when a manual search is still open after its due date, reminds the record-owner team
/// (and arms the next chaser), up to the configured number.
/// </summary>
public sealed partial class ManualSearchChaserHandler(INotificationSender sender, IJobQueue queue, DeadlineCalculator calculator, IOptions<ManualSearchOptions> options, ILogger<ManualSearchChaserHandler> logger) : IJobHandler
{
    public const string JobKind = "manual-search-chaser";

    public string Kind => JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a case");
        var taskId = context.Payload.GetProperty("taskId").GetInt64();
        var system = context.Payload.GetProperty("system").GetString() ?? "";
        var chaser = context.Payload.TryGetProperty("chaser", out var c) ? c.GetInt32() : 1;
        if (!await SideTasks.IsOpenAsync(context.Transaction, taskId, cancellationToken))
        {
            return null;
        }

        var team = await context.Transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT team FROM workflow_tasks WHERE id = @taskId", new { taskId }, context.Transaction, cancellationToken: cancellationToken));
        await sender.SendAsync(
            new OutboundNotification
            {
                Key = string.Create(CultureInfo.InvariantCulture, $"manual-search-chaser:{taskId}:{chaser}"),
                Template = "reminder-manual-search",
                RecipientKind = "team",
                Recipient = team ?? "record-owner",
                CaseId = caseId,
                JobId = context.JobId,
                DataJson = JsonSerializer.Serialize(new { taskId, system, chaser }),
            },
            context,
            cancellationToken);
        await WorkflowLog.RecordAsync(context, "manual-search-chased", new { taskId, system, chaser }, cancellationToken);
        Log.Chased(logger, caseId, taskId, chaser);
        if (chaser < options.Value.MaxChasers)
        {
            var next = calculator.AddWorkingDays(LondonTime.Today(context.Time), options.Value.ChaseEveryWorkingDays);
            await queue.EnqueueAsync(
                context.Transaction,
                JobKind,
                new { taskId, system, chaser = chaser + 1 },
                caseId,
                runAt: LondonTime.At(next, new TimeOnly(8, 0)),
                dedupeKey: string.Create(CultureInfo.InvariantCulture, $"manual-search-chaser:{taskId}:{chaser + 1}"),
                cancellationToken: cancellationToken);
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1142, LogLevel.Information, "Case {CaseId}: manual search task {TaskId} chased ({Chaser})")]
        public static partial void Chased(ILogger logger, long caseId, long taskId, int chaser);
    }
}
