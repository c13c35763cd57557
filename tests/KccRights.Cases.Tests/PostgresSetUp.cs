using KccRights.TestSupport;

namespace KccRights.Cases.Tests;

[SetUpFixture]
public class PostgresSetUp
{
    [OneTimeTearDown]
    public Task StopPostgres() => TestPostgres.StopAsync();
}
