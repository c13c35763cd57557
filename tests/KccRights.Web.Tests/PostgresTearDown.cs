using KccRights.TestSupport;

namespace KccRights.Web.Tests;

/// <summary>Stops the shared test PostgreSQL (used by the crash tests) when the assembly's tests end.</summary>
[SetUpFixture]
public class PostgresTearDown
{
    [OneTimeTearDown]
    public Task StopPostgres() => TestPostgres.StopAsync();
}
