namespace KccRights.Workflows.Runtime;

/// <summary>The handler for each job kind. Two handlers for one kind are a start-up error.</summary>
public sealed class JobHandlerRegistry
{
    private readonly Dictionary<string, IJobHandler> _handlers = new(StringComparer.Ordinal);

    public JobHandlerRegistry(IEnumerable<IJobHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        foreach (var handler in handlers)
        {
            // No placeholders: each kind has exactly one handler, registered by the module that owns the work.
            if (!_handlers.TryAdd(handler.Kind, handler))
            {
                var existing = _handlers[handler.Kind];
                throw new InvalidOperationException($"Two job handlers are registered for kind '{handler.Kind}': {existing.GetType().Name} and {handler.GetType().Name}.");
            }
        }
    }

    public IReadOnlyCollection<string> Kinds => _handlers.Keys;

    public IJobHandler? Find(string kind) => _handlers.GetValueOrDefault(kind);
}
