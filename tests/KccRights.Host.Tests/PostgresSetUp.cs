using KccRights.TestSupport;

namespace KccRights.Host.Tests;

[SetUpFixture]
public class PostgresSetUp
{
    [OneTimeTearDown]
    public Task StopPostgres() => TestPostgres.StopAsync();
}
