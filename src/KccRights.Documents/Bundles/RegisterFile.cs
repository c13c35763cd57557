using KccRights.Domain.Register;

namespace KccRights.Documents.Bundles;

/// <summary>Reads the register of processing shipped beside the executable (register/register-of-processing.json).</summary>
public static class RegisterFile
{
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "register", "register-of-processing.json");

    /// <summary>Reads and checks the register; a problem is a <see cref="RegisterException"/> naming the file and the JSON path.</summary>
    public static RegisterOfProcessing Load(string? path = null)
    {
        path ??= DefaultPath;
        try
        {
            return RegisterParser.Parse(File.ReadAllText(path));
        }
        catch (RegisterException ex)
        {
            throw new RegisterException($"{path}: {ex.Message}");
        }
    }
}
