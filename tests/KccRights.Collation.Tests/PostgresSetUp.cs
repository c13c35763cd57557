using KccRights.TestSupport;

namespace KccRights.Collation.Tests;

[SetUpFixture]
public class PostgresSetUp
{
    [OneTimeTearDown]
    public async Task StopAll()
    {
        await DemoSystems.DisposeAsync();
        await TestPostgres.StopAsync();
    }
}
