using KccRights.TestSupport;

namespace KccRights.Workflows.Tests;

[SetUpFixture]
public class TestAssemblySetUp
{
    [OneTimeTearDown]
    public async Task StopPostgres() => await TestPostgres.StopAsync();
}
