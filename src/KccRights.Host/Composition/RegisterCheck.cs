using KccRights.Collation.Connectors;
using KccRights.Documents.Bundles;
using KccRights.Domain.Register;
using Microsoft.Extensions.Options;

namespace KccRights.Host.Composition;

/// <summary>
/// The register of processing is validated when <c>serve</c> starts (issue 11 item 2): it must parse and hold together
/// (every dataset's categories, purposes and bases exist), and every dataset a configured source system collates must
/// be in it, so the Article 15 information a response gives (UK GDPR Art 15(1)(a)-(h)) covers everything collated.
/// A problem stops the service with one line each.
/// </summary>
public static class RegisterCheck
{
    public const string FileSetting = "Register:File";

    public static bool Check(IServiceProvider services, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(errors);
        var path = services.GetRequiredService<IConfiguration>()[FileSetting] is { Length: > 0 } configured ? configured : RegisterFile.DefaultPath;
        RegisterOfProcessing register;
        try
        {
            register = RegisterFile.Load(path);
        }
        catch (Exception ex) when (ex is RegisterException or IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"kccrights: register: {ex.Message.ReplaceLineEndings(" ")}");
            return false;
        }

        var missing = services.GetRequiredService<IOptions<SourceSystemsOptions>>().Value.Systems
            .SelectMany(system => system.Datasets.Select(dataset => (System: system.Id, Dataset: dataset.Id)))
            .Where(d => register.FindDataset(d.System, d.Dataset) is null)
            .ToList();
        foreach (var (system, dataset) in missing)
        {
            errors.WriteLine($"kccrights: register: source system '{system}' collates dataset '{dataset}', which {path} does not describe");
        }

        return missing.Count == 0;
    }
}
