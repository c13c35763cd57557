using KccRights.TestSupport;

namespace KccRights.Correspondence.Tests;

// In the assembly's root namespace, so it covers every test here: stops the test PostgreSQL after the run.
[SetUpFixture]
public sealed class AssemblySetup
{
    [OneTimeTearDown]
    public async Task StopPostgres() => await TestPostgres.StopAsync();
}
