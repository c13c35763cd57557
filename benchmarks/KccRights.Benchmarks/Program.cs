using KccRights.Benchmarks;

// dotnet run -c Release --project benchmarks/KccRights.Benchmarks -- <name>
var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
{
    ["deadlines"] = DeadlineBenchmark.RunAsync,
    ["web"] = WebLoadBenchmark.RunAsync,
    ["workflows"] = WorkflowBenchmark.RunAsync,
    ["classification"] = ClassificationBenchmark.RunAsync,
    ["intake"] = IntakeBenchmark.RunAsync,
    ["bundle"] = BundleBenchmark.RunAsync,
    ["collation"] = CollationBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: KccRights.Benchmarks <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}

try
{
    return await run(args[1..]);
}
finally
{
    await KccRights.TestSupport.TestPostgres.StopAsync();
}
