using KccRights.TestSupport;

namespace KccRights.Intake.Tests;

// In the assembly's root namespace: a set-up fixture covers only the tests in its namespace and below, and this one
// must stop the test PostgreSQL after every test that used it (it was in .Support, and the server outlived the run).
[SetUpFixture]
public sealed class AssemblySetup
{
    [OneTimeTearDown]
    public async Task StopPostgres() => await TestPostgres.StopAsync();
}
