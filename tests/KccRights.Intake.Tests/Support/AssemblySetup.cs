using KccRights.TestSupport;

namespace KccRights.Intake.Tests.Support;

[SetUpFixture]
public sealed class AssemblySetup
{
    [OneTimeTearDown]
    public async Task StopPostgres() => await TestPostgres.StopAsync();
}
