namespace KccRights.Workflows.Runtime;

/// <summary>
/// A handler that stands in until a module registers the real one for its kind (for example Correspondence's requester
/// letters, which a module may take over for one kind, such as a response with its PDF). A handler registered later for
/// the same kind replaces it.
/// </summary>
public interface IReplaceableJobHandler : IJobHandler
{
}

/// <summary>The handler for each job kind. Two non-replaceable handlers for one kind are a start-up error.</summary>
public sealed class JobHandlerRegistry
{
    private readonly Dictionary<string, IJobHandler> _handlers = new(StringComparer.Ordinal);

    public JobHandlerRegistry(IEnumerable<IJobHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        foreach (var handler in handlers)
        {
            if (!_handlers.TryGetValue(handler.Kind, out var existing) || existing is IReplaceableJobHandler)
            {
                _handlers[handler.Kind] = handler;
            }
            else if (handler is not IReplaceableJobHandler)
            {
                throw new InvalidOperationException($"Two job handlers are registered for kind '{handler.Kind}': {existing.GetType().Name} and {handler.GetType().Name}.");
            }
        }
    }

    public IReadOnlyCollection<string> Kinds => _handlers.Keys;

    public IJobHandler? Find(string kind) => _handlers.GetValueOrDefault(kind);
}
