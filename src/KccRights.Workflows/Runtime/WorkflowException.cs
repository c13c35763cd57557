namespace KccRights.Workflows.Runtime;

/// <summary>A workflow operation that cannot be done (no such task, an outcome the task does not offer, four eyes); the message is for the officer.</summary>
public sealed class WorkflowException : Exception
{
    public WorkflowException()
    {
    }

    public WorkflowException(string message)
        : base(message)
    {
    }

    public WorkflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
