using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using KccRights.Documents.Bundles;
using KccRights.Domain.Register;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 12's figures: render a bundle of at least 1,000 pages with the PDFsharp layout (wall time, peak memory of this
/// process) beside headless Chromium printing the same content from HTML in the same run (wall time, peak RSS of its whole
/// process tree, polled from /proc), and the ratios. Targets: at least 10 times faster, peak under 200 MB.
/// Options: --items N (default 1530), --chromium PATH (default /usr/bin/chromium), --keep DIR (keep both PDFs).
/// </summary>
internal static class BundleBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var items = Option(args, "--items") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1530;
        var chromium = Option(args, "--chromium") ?? "/usr/bin/chromium";
        var keep = Option(args, "--keep");
        var register = RegisterFile.Load();
        var input = Input(items);
        var options = new BundleRenderOptions { Today = new DateOnly(2026, 10, 28) };

        // First render in a fresh process (JIT, font loading), then the steady state of a running service: the figure
        // compared is the warm one; the cold one is printed beside it.
        var cold = Stopwatch.StartNew();
        BundleRenderer.Render(input, register, options);
        cold.Stop();
        BundleRenderer.Render(input, register, options);
        GC.Collect();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var rendered = BundleRenderer.Render(input, register, options);
        watch.Stop();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var ourPeak = self.PeakWorkingSet64;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var work = Directory.CreateTempSubdirectory("kcc-bundle-bench-");
        try
        {
            File.WriteAllBytes(Path.Combine(work.FullName, "kccrights.pdf"), rendered.Pdf);
            var html = Path.Combine(work.FullName, "bundle.html");
            File.WriteAllText(html, Html(input, register));
            var chromiumPdf = Path.Combine(work.FullName, "chromium.pdf");
            var (chromiumTime, chromiumPeak, exit) = await RunChromiumAsync(chromium, html, chromiumPdf, work.FullName);
            var chromiumPages = File.Exists(chromiumPdf) ? PageCount(File.ReadAllBytes(chromiumPdf)) : 0;

            Console.WriteLine($"bundle: {input.Items.Count} items, same content both ways (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores)");
            Console.WriteLine($"  PDFsharp layout  : {rendered.PageCount,5} pages  {watch.Elapsed.TotalSeconds,7:F2} s warm ({cold.Elapsed.TotalSeconds:F2} s first render in a fresh process)  peak working set {Mb(ourPeak),6:F1} MB  (allocated {Mb(allocated):F0} MB per render, {rendered.Pdf.Length / 1024} KB file)");
            Console.WriteLine($"  headless Chromium: {chromiumPages,5} pages  {chromiumTime.TotalSeconds,7:F2} s  peak RSS (process tree) {Mb(chromiumPeak),6:F1} MB  (exit {exit})");
            Console.WriteLine($"  ratio: {chromiumTime / watch.Elapsed:F1}x faster, {(double)chromiumPeak / ourPeak:F1}x less peak memory");
            var ok = rendered.PageCount >= 1000 && chromiumTime / watch.Elapsed >= 10 && ourPeak < 200L * 1024 * 1024;
            Console.WriteLine($"  targets (>= 1,000 pages, >= 10x faster, peak < 200 MB): {(ok ? "met" : "NOT met")}");
            if (keep is not null)
            {
                Directory.CreateDirectory(keep);
                File.Copy(Path.Combine(work.FullName, "kccrights.pdf"), Path.Combine(keep, "kccrights.pdf"), overwrite: true);
                if (File.Exists(chromiumPdf))
                {
                    File.Copy(chromiumPdf, Path.Combine(keep, "chromium.pdf"), overwrite: true);
                }
            }

            return exit == 0 ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int PageCount(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return document.NumberOfPages;
    }

    private static readonly (string System, string Dataset)[] Sources =
    [
        ("education", "attendance"), ("education", "incidents"), ("early-help", "notes"), ("social-care", "case-notes"),
        ("social-care", "assessments"), ("youth-justice", "interventions"), ("send", "ehc-plans"),
    ];

    private const string Sentence =
        "The worker visited the family home and discussed attendance, health and the support plan with the young person and their mother. ";

    /// <summary>A synthetic social-care-sized bundle: notes of varied length, a third with a redaction, some withheld.</summary>
    private static BundleInput Input(int count)
    {
        var items = new List<BundleItem>();
        for (var i = 0; i < count; i++)
        {
            var (system, dataset) = Sources[i % Sources.Length];
            var text = $"Note {i + 1}. " + string.Concat(Enumerable.Repeat(Sentence, 6 + i % 9)) + "\nSeen with neighbour Alex Redactme at the school gate.\n" + string.Concat(Enumerable.Repeat(Sentence, 4));
            var at = text.IndexOf("Alex Redactme", StringComparison.Ordinal);
            items.Add(new BundleItem
            {
                Id = $"ITEM-{i + 1:D5}",
                System = system,
                Dataset = dataset,
                Date = new DateOnly(2020, 1, 1).AddDays(i),
                Title = $"Case note {i + 1}",
                Fields = new Dictionary<string, string> { ["Worker"] = "Social worker, Area team", ["Type"] = "Home visit", ["Outcome"] = "Plan reviewed" },
                Text = text,
                Redactions = i % 3 == 0 ? [new BundleRedaction { Field = null, Start = at, Length = "Alex Redactme".Length, Code = "TP" }] : [],
                Withheld = i % 50 == 49 ? new BundleWithheld { Code = "CRIME" } : null,
            });
        }

        return new BundleInput
        {
            Reference = "SAR-2026-01000",
            Requester = new BundleRequester { Name = "Ms Bench Mark", Address = ["1 Test Road", "Maidstone", "ME14 1AA"] },
            Subject = new BundleSubject { Name = "Ms Bench Mark" },
            Received = new DateOnly(2026, 10, 1),
            Due = new DateOnly(2026, 11, 2),
            Items = items,
        };
    }

    /// <summary>The same content as HTML for Chromium: letter, schedule, items with fields, text and redaction boxes.</summary>
    private static string Html(BundleInput input, RegisterOfProcessing register)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder("""
            <!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Response</title><style>
            @page { size: A4; margin: 25mm 20mm; }
            body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; line-height: 1.3; }
            h1 { font-size: 15pt; } h2 { font-size: 12.5pt; break-after: avoid; }
            table { border-collapse: collapse; width: 100%; } thead { display: table-header-group; }
            td, th { border-bottom: 0.5pt solid #999; padding: 3pt; text-align: left; vertical-align: top; }
            .r { background: #000; color: #fff; font-weight: bold; font-size: 8pt; padding: 0 2pt; }
            .system { break-before: page; } p { white-space: pre-wrap; margin: 0 0 5pt; }
            </style></head><body>
            """);
        html.Append(CultureInfo.InvariantCulture, $"<p>Kent County Council\nInformation Resilience and Transparency Team</p><p>{E(input.Requester.Name)}\n{E(string.Join("\n", input.Requester.Address))}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<h2>Your subject access request {E(input.Reference)}</h2><p>Dear {E(input.Requester.Name)},</p><p>Thank you for your request. This is our response.</p>");
        var disclosed = input.Items.Where(i => i.Withheld is null).ToList();
        html.Append("<h1 class=\"system\">Schedule of records disclosed</h1><table><thead><tr><th>No.</th><th>Date</th><th>Source</th><th>Record</th></tr></thead><tbody>");
        for (var i = 0; i < disclosed.Count; i++)
        {
            var item = disclosed[i];
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{i + 1}</td><td>{item.Date:d MMM yyyy}</td><td>{E(register.FindDataset(item.System, item.Dataset)!.Name)}</td><td>{E(item.Title)}</td></tr>");
        }

        html.Append("</tbody></table>");
        string? system = null;
        for (var i = 0; i < disclosed.Count; i++)
        {
            var item = disclosed[i];
            if (item.System != system)
            {
                system = item.System;
                html.Append(CultureInfo.InvariantCulture, $"<h1 class=\"system\">Records from {E(system)}</h1>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<h2>{i + 1}. {E(item.Title)}</h2><table>");
            foreach (var (key, value) in item.Fields)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(key)}</th><td>{E(value)}</td></tr>");
            }

            html.Append("</table><p>");
            var position = 0;
            foreach (var r in item.Redactions.Where(r => r.Field is null).OrderBy(r => r.Start))
            {
                html.Append(E(item.Text[position..r.Start])).Append(CultureInfo.InvariantCulture, $"<span class=\"r\">[Redacted: {E(r.Code)}]</span>");
                position = r.Start + r.Length;
            }

            html.Append(E(item.Text[position..])).Append("</p>");
        }

        return html.Append("</body></html>").ToString();
    }

    /// <summary>Runs Chromium to completion, polling /proc every 10 ms for the summed RSS of its process tree.</summary>
    private static async Task<(TimeSpan Time, long PeakRss, int Exit)> RunChromiumAsync(string chromium, string html, string pdf, string work)
    {
        var info = new ProcessStartInfo(chromium) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={Path.Combine(work, "profile")}", $"--print-to-pdf={pdf}", "file://" + html })
        {
            info.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, TreeRss(process.Id));
            await Task.Delay(10);
        }

        watch.Stop();
        await Task.WhenAll(stdout, stderr);
        return (watch.Elapsed, peak, process.ExitCode);
    }

    private static long TreeRss(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        var tree = new HashSet<int> { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);

        long total = 0;
        foreach (var pid in tree)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone.
            }
        }

        return total;
    }
}
