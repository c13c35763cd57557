namespace KccRights.Workflows.Runtime;

/// <summary>
/// A registered kind of human task (the web app knows how to show it). Modules register theirs with DI; the runtime
/// ships none and refuses a definition naming one nobody registered. A
/// <paramref name="SignOff"/> type is a second person's approval of someone else's work or request (four eyes, PRODUCT.md
/// 8; issue 9 item 5): <c>workflows validate</c> refuses a task of such a type that does not name, in
/// <c>notBySameActorAs</c>, whose work it approves.
/// </summary>
public sealed record HumanTaskType(string Type, string Description, bool SignOff = false);
