using KccRights.TestSupport;

namespace KccRights.Host.Tests;

/// <summary>Stops the shared test PostgreSQL (used by the command tests) when the assembly's tests end.</summary>
[SetUpFixture]
public class PostgresTearDown
{
    [OneTimeTearDown]
    public Task StopPostgres() => TestPostgres.StopAsync();
}
