using KccRights.TestSupport;

namespace KccRights.Infrastructure.Tests;

[SetUpFixture]
public class PostgresSetUp
{
    [OneTimeTearDown]
    public Task StopPostgres() => TestPostgres.StopAsync();
}
