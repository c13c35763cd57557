using System.Text.RegularExpressions;

namespace KccRights.Intake.Classification;

/// <summary>
/// Bounded work per message (issue 9, item 1): every pattern that reads mail is linear or has a timeout. Patterns are
/// built with <see cref="RegexOptions.NonBacktracking"/> (time linear in the text) wherever the pattern allows it;
/// those with lookarounds or backreferences, which that engine refuses, keep the backtracking engine and the timeout.
/// A timeout throws <see cref="RegexMatchTimeoutException"/>, which the classifier turns into a triage item.
/// </summary>
internal static class RegexBudget
{
    /// <summary>The most one match may take. Text is capped (<see cref="ClassifierOptions.MaxTextChars"/>) before matching.</summary>
    public const int Milliseconds = 1000;

    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(Milliseconds);

    /// <summary>A linear pattern where the engine allows it, else a backtracking one with the timeout.</summary>
    public static Regex Create(string pattern, RegexOptions options)
    {
        try
        {
            return new Regex(pattern, (options & ~RegexOptions.Compiled) | RegexOptions.NonBacktracking, Timeout);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, options, Timeout);
        }
    }

    /// <summary>True when the pattern runs on the linear engine (for tests).</summary>
    public static bool IsLinear(Regex regex) => regex.Options.HasFlag(RegexOptions.NonBacktracking);
}
