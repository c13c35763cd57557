using Dapper;
using KccRights.Workflows.Runtime;

namespace KccRights.Cases;

/// <summary>Marks the case closed (its clock is closed by the terminal state's clock change). Outcome: <c>done</c>.</summary>
public sealed class CloseCaseHandler : ITransactionalJobHandler
{
    public string Kind => "close-case";

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE cases SET status = 'closed', closed_at = @now WHERE id = @caseId AND status = 'open'",
            new { caseId = context.CaseId, now = context.Time.GetUtcNow() },
            context.Transaction,
            cancellationToken: cancellationToken));
        return "done";
    }
}
