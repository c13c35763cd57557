using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Database;
using KccRights.Intake.Storage;
using Npgsql;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights keys rotate</c>: re-encrypts stored mail and sealed personal details under the current key
/// (Intake:Storage:EncryptionKey), reading older rows with Intake:Storage:PreviousKeys (issue 9 Build 6).
/// </summary>
internal static class KeysCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, [], []);
        if (parsed.Positionals is not ["rotate"])
        {
            throw new CommandLineException("usage: kccrights keys rotate");
        }

        var configuration = KccRightsWiring.CommandConfiguration(parsed.Settings);
        using var loggerFactory = CommandLogging.Create(LogLevel.Warning);
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var storage = configuration.GetValidated<StorageOptions>(StorageOptions.Section);
        var options = configuration.GetValidated<MessageStorageOptions>(MessageStorageOptions.Section);
        var cipher = MessageCipher.FromOptions(options, Path.GetFullPath(storage.DataDirectory));
        var report = await KeyRotation.RotateAsync(dataSource, cipher);
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Key {cipher.KeyId}: {report.MessagesReencrypted} messages re-encrypted, {report.DetailsResealed} case details and {report.PartiesResealed} case parties re-sealed, {report.PlaintextRowsSealed} plain-text case values sealed, {report.SearchIndexed} cases re-indexed for search."));
        return CommandLine.Ok;
    }
}
