using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace KccRights.Web.Tests;

/// <summary>
/// Debian's headless Chromium driven by Playwright (no browser download). A missing Chromium fails the tests with the
/// install command; it never skips them.
/// </summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"Chromium is not installed at {ChromiumPath}: apt-get install chromium (./test.sh does this as root).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>Runs axe-core on the page and fails on any WCAG 2.2 A or AA violation, naming each.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        if (Environment.GetEnvironmentVariable("KCC_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{DateTime.UtcNow:HHmmssfff}-{new Uri(page.Url).AbsolutePath.Trim('/').Replace('/', '_')}.png"), FullPage = true });
        }

        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagTags] } });
        var violations = result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
        Assert.That(violations, Is.Empty, $"axe-core found WCAG 2.2 AA violations on {page.Url}");
    }

    /// <summary>A page in a fresh browser context (its own cookies), in British English, optionally at a given window size.</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, ViewportSize? viewport = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = viewport });
        return await context.NewPageAsync();
    }

    public static async Task SignInAsync(IPage page, Uri baseUrl, string displayName)
    {
        await page.GotoAsync(new Uri(baseUrl, "/sign-in").ToString());
        await page.GetByLabel(displayName, new PageGetByLabelOptions { Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
    }
}
