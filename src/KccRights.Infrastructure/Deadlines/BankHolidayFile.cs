using KccRights.Domain.Deadlines;

namespace KccRights.Infrastructure.Deadlines;

/// <summary>
/// Loads the bank-holiday data. The file ships beside the executable (bank-holidays.json, in the gov.uk shape) and can be
/// replaced, or another file named by configuration, without a code change.
/// </summary>
public static class BankHolidayFile
{
    public const string FileName = "bank-holidays.json";

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, FileName);

    public static BankHolidayCalendar Load(string? path = null)
    {
        path = string.IsNullOrWhiteSpace(path) ? DefaultPath : path;
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BankHolidayDataException($"Cannot read the bank-holiday file {path}: {ex.Message}", ex);
        }

        try
        {
            return BankHolidayCalendar.Parse(json);
        }
        catch (BankHolidayDataException ex)
        {
            throw new BankHolidayDataException($"{path}: {ex.Message}", ex);
        }
    }
}
