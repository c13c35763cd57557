namespace KccRights.Workflows.Validation;

/// <summary>One problem in a definition file: the file, the JSON path in it (<c>$.states[3].transitions[0].to</c>) and what is wrong.</summary>
public sealed record DefinitionError(string File, string Path, string Message)
{
    public override string ToString() => $"{File}: {Path}: {Message}";
}

/// <summary>Thrown where a service must not start: the definitions in the directory have errors.</summary>
public sealed class InvalidWorkflowDefinitionsException : Exception
{
    public InvalidWorkflowDefinitionsException()
    {
        Errors = [];
    }

    public InvalidWorkflowDefinitionsException(string message)
        : base(message)
    {
        Errors = [];
    }

    public InvalidWorkflowDefinitionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public InvalidWorkflowDefinitionsException(IReadOnlyList<DefinitionError> errors)
        : base($"{errors?.Count} workflow definition error(s):{Environment.NewLine}{string.Join(Environment.NewLine, errors ?? [])}")
    {
        Errors = errors ?? [];
    }

    public IReadOnlyList<DefinitionError> Errors { get; }
}
