using System.Text.Json;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Review;
using KccRights.Documents.Bundles;
using KccRights.Domain.Deadlines;
using KccRights.Domain.Register;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;

namespace KccRights.Disclosure.Response;

/// <summary>
/// <c>render-response</c> (issue 13 Build 4): the access workflow's <c>draft-response</c> activity, and the officer's
/// "Render the draft". Builds the bundle from the case, its in-scope items and the review's decisions, renders it
/// (cover letter, the Art 15(1)-(2) information from the register of processing, the items with redactions burnt in,
/// withheld items left out) and stores it as the case's next version, sealed. A review that is not finished is not
/// an error to retry: the job records why no PDF was made and ends, so the case page says it in words.
/// </summary>
public sealed partial class RenderResponseHandler(
    IReviewItemSource items,
    ResponseDecisions decisions,
    ResponseStore store,
    IPersonalDataCipher cipher,
    ResponseRegister register,
    ILogger<RenderResponseHandler> logger) : IJobHandler
{
    public const string JobKind = "render-response";

    public string Kind => JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? throw new InvalidOperationException($"job {context.JobId}: {JobKind} needs a case");
        var renderedBy = context.Payload.ValueKind == JsonValueKind.Object && context.Payload.TryGetProperty("requestedBy", out var by) && by.ValueKind == JsonValueKind.String
            ? by.GetString()!
            : $"job:{context.JobId}";
        var now = context.Time.GetUtcNow();

        var (responseCase, caseProblem) = await ResponseBundle.ReadCaseAsync(context.Transaction, cipher, caseId, cancellationToken);
        if (responseCase is null)
        {
            return await FailAsync(context, caseId, $"The response cannot be drafted: {caseProblem}.", renderedBy, now, cancellationToken);
        }

        var caseItems = await items.ItemsAsync(caseId, cancellationToken);
        var caseDecisions = await decisions.DecisionsAsync(caseId, cancellationToken);
        var (input, problem) = ResponseBundle.Compose(responseCase, caseItems, caseDecisions);
        if (input is null)
        {
            return await FailAsync(context, caseId, problem!, renderedBy, now, cancellationToken);
        }

        var processing = register.Value;
        try
        {
            BundleParser.Validate(input, processing);
        }
        catch (BundleInputException ex)
        {
            // The JSON path names the item by its position in the bundle; say which item that is.
            return await FailAsync(context, caseId, $"The response could not be built: {Explain(ex.Message, input)}", renderedBy, now, cancellationToken);
        }

        var rendered = BundleRenderer.Render(input, processing, new BundleRenderOptions { Today = LondonTime.Today(context.Time), Timestamp = now });
        var version = await store.SaveAsync(
            context.Transaction,
            caseId,
            context.JobId,
            rendered.Pdf,
            rendered.PageCount,
            BundleRenderer.RedactionLog(input),
            ResponseBundle.Fingerprint(caseDecisions),
            renderedBy,
            now,
            cancellationToken);
        await WorkflowLog.RecordAsync(context, "response-rendered", new { version, pages = rendered.PageCount, items = input.Items.Count, withheld = input.Items.Count(i => i.Withheld is not null) }, cancellationToken);
        Log.Rendered(logger, caseId, version, rendered.PageCount);
        return null;
    }

    private async Task<string?> FailAsync(JobContext context, long caseId, string reason, string renderedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ResponseStore.FailAsync(context.Transaction, caseId, context.JobId, reason, renderedBy, now, cancellationToken);
        await WorkflowLog.RecordAsync(context, "response-not-rendered", new { reason }, cancellationToken);
        Log.NotRendered(logger, caseId, context.JobId);
        return null;
    }

    private static string Explain(string message, BundleInput input)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^\$\.items\[(\d+)\]");
        return match.Success && int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < input.Items.Count
            ? $"item {input.Items[index].Id}: {message[match.Length..].TrimStart('.', ':', ' ')}"
            : message;
    }

    private static partial class Log
    {
        [LoggerMessage(1310, LogLevel.Information, "Case {CaseId}: response version {Version} rendered, {Pages} pages")]
        public static partial void Rendered(ILogger logger, long caseId, int version, int pages);

        [LoggerMessage(1311, LogLevel.Warning, "Case {CaseId}: response not rendered by job {JobId} (the reason is on the case)")]
        public static partial void NotRendered(ILogger logger, long caseId, long jobId);
    }
}

/// <summary>The register of processing the response's Art 15 information comes from (<c>Register:File</c>, else the one beside the executable), read once.</summary>
public sealed class ResponseRegister(string? path)
{
    private readonly Lazy<RegisterOfProcessing> _register = new(() => RegisterFile.Load(path));

    public RegisterOfProcessing Value => _register.Value;
}
