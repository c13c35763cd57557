using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using KccRights.Cases;
using KccRights.Collation.Demo;
using KccRights.Collation.Jobs;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Disclosure.Suggestions;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace KccRights.Disclosure.Tests.Suggestions;

/// <summary>
/// Issue 13's done-when: suggestion recall and precision against the third-party mentions the demo generator planted
/// (src_demo.third_party_mentions and the truth's "mentions"), on the small demo data (seed 1).
/// <para>
/// For each planted person (subjects, near-misses and family members alike: each is a case of their own), their
/// identities are confirmed and their records collated through the real handler (every system, the document share
/// included), the items are opened as the review sees them (CollationReviewItems), the people the systems know come
/// from Collation's KnownPeople, and the subject's own data from what the request would give (the person's people.tsv
/// row). Then SuggestionEngine.Suggest runs on them.
/// </para>
/// <para>
/// Definitions. A planted mention of kind family or child is <b>found</b> when a Redact suggestion on the same item's
/// text covers its whole span (records: the planted offset into the free text, which is the item's text; documents:
/// the generator records no offset, so the mention is the k-th occurrence of the name in the extracted text, words
/// separated by any white space, as PDF lines wrap). Recall = found / planted family and child mentions. Professionals'
/// mentions are not third parties to redact (Sch 2 para 17): they are counted apart, found when a NormallyDisclose
/// suggestion covers them, and a Redact suggestion over one is a false positive. Precision = Redact span suggestions
/// that cover (overlap) a planted family or child mention, plus those on a field the generator fills with another
/// person's name (early help's parent_names, admissions' parent_name: the mother and father), / all Redact span
/// suggestions. The strict precision (planted mentions only) is printed too.
/// </para>
/// </summary>
public sealed class SuggestionRecallTests
{
    private static readonly HashSet<string> OtherPeopleFields = new(StringComparer.Ordinal) { "parent_names", "parent_name" };

    [Test]
    public async Task Suggestions_OnThePlantedPeople_FindThePlantedThirdPartyMentions()
    {
        var demo = await SuggestionDemoData.GetAsync();
        var store = new CollationStore(demo.DataSource, new SuggestionTestCipher());
        var handler = new CollateSystemHandler(demo.Connectors, store, null!, null!, demo.DataSource, NullLogger<CollateSystemHandler>.Instance);
        var known = new KnownPeople(demo.Connectors, demo.DataSource);
        var reviewItems = new CollationReviewItems(store);
        long caseId = 77_000;

        int planted = 0, found = 0, professionals = 0, professionalsDisclosed = 0, redactSpans = 0, strict = 0, justified = 0, unmapped = 0;
        var byKind = new Dictionary<string, (int Planted, int Found)>(StringComparer.Ordinal);
        var misses = new List<string>();
        var falsePositives = new List<string>();
        foreach (var person in SuggestionDemoData.People.Where(p => demo.Truth.People.ContainsKey(p.Key)))
        {
            caseId++;
            foreach (var (system, ids) in demo.Truth.People[person.Key].Where(s => s.Key != "documents"))
            {
                foreach (var id in ids)
                {
                    var prefix = system switch { "education" => "EDU-", "early-help" => "EH-", "social-care" => "CSC-", _ => "" };
                    await store.DecideAsync(caseId, system, id, [prefix + id], confirmed: true, $"{person.Key} in {system}", "officer@test", DateTimeOffset.UtcNow);
                }
            }

            foreach (var system in demo.Truth.People[person.Key].Keys.Append("documents").Distinct(StringComparer.Ordinal))
            {
                await RunAsync(demo, handler, caseId, JsonSerializer.Serialize(new { system }));
            }

            var collated = await store.ItemsAsync(caseId);
            var items = (await reviewItems.ItemsAsync(caseId, CancellationToken.None)).ToDictionary(i => i.Id);
            var profile = new SubjectProfile();
            profile.AddFromRequest(
                new CaseRequestParties { SubjectName = $"{person.Given} {person.Family}" },
                new CaseRequestDetails
                {
                    SubjectDob = person.DateOfBirth,
                    PreviousNames = person.PreviousFamily is { } previous ? [previous] : [],
                    Upn = person.Upn,
                    Address = person.Address,
                    Postcode = person.Postcode,
                });
            var others = await known.OthersAsync(caseId, CancellationToken.None);
            var suggestions = SuggestionEngine.Suggest(items.Values.ToList(), profile, others);

            // The planted mentions in this person's items, as spans of the items' texts.
            var mentionSpans = new List<(long ItemId, int Start, int Length, string Kind, string Where)>();
            var mentions = demo.Truth.Mentions.Where(m => demo.Truth.Records.TryGetValue(person.Key, out var r) && r.TryGetValue(m.System, out var d) && d.TryGetValue(m.Dataset, out var ids) && ids.Contains(m.RecordId));
            foreach (var group in mentions.GroupBy(m => (m.System, m.Dataset, m.RecordId)))
            {
                var item = collated.FirstOrDefault(i => i.Sources.Any(s => s.System == group.Key.System && s.Dataset == group.Key.Dataset && s.RecordId == group.Key.RecordId));
                if (item is null || !items.TryGetValue(item.Id, out var review))
                {
                    unmapped += group.Count();
                    continue;
                }

                var occurrence = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var m in group)
                {
                    var where = $"{person.Key} {m.System}/{m.Dataset}/{m.RecordId}";
                    if (m.Start >= 0 && m.Start + m.Mention.Length <= review.Text.Length && review.Text.AsSpan(m.Start, m.Mention.Length).SequenceEqual(m.Mention))
                    {
                        mentionSpans.Add((review.Id, m.Start, m.Mention.Length, m.Kind, where));
                        continue;
                    }

                    var k = occurrence[m.Mention] = occurrence.GetValueOrDefault(m.Mention) + 1;
                    var pattern = new Regex(string.Join(@"\s+", m.Mention.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)), RegexOptions.CultureInvariant);
                    var hits = pattern.Matches(review.Text);
                    if (hits.Count == 0)
                    {
                        unmapped++;
                        misses.Add($"{where}: {m.Kind} '{m.Mention}' not in the item's text");
                        continue;
                    }

                    var hit = hits[Math.Min(k, hits.Count) - 1];
                    mentionSpans.Add((review.Id, hit.Index, hit.Length, m.Kind, where));
                }
            }

            var redacts = suggestions.Where(s => s.Action == SuggestionAction.Redact && s.Length > 0).ToList();
            foreach (var m in mentionSpans)
            {
                bool Covers(Suggestion s) => s.ItemId == m.ItemId && s.Field is null && s.Start <= m.Start && s.Start + s.Length >= m.Start + m.Length;
                if (m.Kind == "professional")
                {
                    professionals++;
                    if (suggestions.Any(s => s.Action == SuggestionAction.NormallyDisclose && Covers(s)))
                    {
                        professionalsDisclosed++;
                    }

                    continue;
                }

                planted++;
                var hit = redacts.Any(Covers);
                found += hit ? 1 : 0;
                var counts = byKind.GetValueOrDefault(m.Kind);
                byKind[m.Kind] = (counts.Planted + 1, counts.Found + (hit ? 1 : 0));
                if (!hit)
                {
                    var text = items[m.ItemId].Text;
                    misses.Add($"{m.Where}: {m.Kind} '{text.Substring(m.Start, m.Length)}' in \"{Snippet(text, m.Start, m.Length)}\"");
                }
            }

            foreach (var s in redacts)
            {
                redactSpans++;
                var onPlanted = s.Field is null && mentionSpans.Any(m => m.Kind != "professional" && m.ItemId == s.ItemId && s.Start < m.Start + m.Length && m.Start < s.Start + s.Length);
                var onOtherPeopleField = s.Field is { } field && OtherPeopleFields.Contains(field);
                strict += onPlanted ? 1 : 0;
                justified += onPlanted || onOtherPeopleField ? 1 : 0;
                if (!onPlanted && !onOtherPeopleField)
                {
                    var item = items[s.ItemId];
                    var text = s.Field is null ? item.Text : item.Fields.First(f => f.Key == s.Field).Value;
                    falsePositives.Add($"{person.Key} {item.System}/{item.Dataset}/{item.RecordId} {s.Field ?? "text"} {s.Kind}: '{text.Substring(s.Start, s.Length)}' in \"{Snippet(text, s.Start, s.Length)}\"");
                }
            }
        }

        var recall = planted == 0 ? 0 : (double)found / planted;
        var precision = redactSpans == 0 ? 0 : (double)justified / redactSpans;
        var strictPrecision = redactSpans == 0 ? 0 : (double)strict / redactSpans;
        var output = TestContext.Out;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Suggestions on the small demo data (seed {SuggestionDemoData.Seed}):"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  recall    {recall:F3}  ({found} of {planted} planted family and child mentions covered by a Redact suggestion)"));
        foreach (var (kind, (p, f)) in byKind.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"    {kind,-12} {f} of {p}"));
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  precision {precision:F3}  ({justified} of {redactSpans} Redact span suggestions on a planted mention or a parent-name field; strict, planted mentions only: {strictPrecision:F3})"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  professionals marked normally disclose: {professionalsDisclosed} of {professionals}; mentions not mapped to an item: {unmapped}"));
        foreach (var line in misses.Take(25))
        {
            await output.WriteLineAsync("  missed: " + line);
        }

        foreach (var line in falsePositives.Take(25))
        {
            await output.WriteLineAsync("  not planted: " + line);
        }

        Assert.Multiple(() =>
        {
            Assert.That(planted, Is.GreaterThan(50), "the planted people's records hold family and child mentions");
            Assert.That(unmapped, Is.Zero, "every planted mention is found in a collated item");
            Assert.That(recall, Is.GreaterThanOrEqualTo(0.95), "recall");
            Assert.That(precision, Is.GreaterThanOrEqualTo(0.8), "precision");
        });
    }

    [Test]
    public async Task SuggestAsync_ReadsTheCasesRequestAndTheKnownPeople_AndLeavesTheSubjectAndRequesterAlone()
    {
        var demo = await SuggestionDemoData.GetAsync();
        var cipher = new SuggestionTestCipher();
        var store = new CollationStore(demo.DataSource, cipher);
        var person = SuggestionDemoData.People.Single(p => p.Key == "P01");
        long caseId;
        await using (var connection = await demo.DataSource.OpenConnectionAsync())
        {
            caseId = await connection.ExecuteScalarAsync<long>("INSERT INTO cases (reference, right_code) VALUES ('KCC-SAR-2026-990001', 'SAR') RETURNING id");
            var parties = new CaseRequestParties { SubjectName = "Daniel Okafor", RequesterName = "Daniel Okafor", RequesterEmail = "daniel.okafor@example.com" };
            var details = new CaseRequestDetails { SubjectDob = person.DateOfBirth, PreviousNames = ["Daniel Mensah"], Address = person.Address, Postcode = person.Postcode, Upn = person.Upn };
            await connection.ExecuteAsync(
                "INSERT INTO case_requests (case_id, relationship, sealed_parties, sealed_details, created_at) VALUES (@caseId, 'self', @parties, @details, now())",
                new { caseId, parties = parties.Seal(cipher, caseId), details = details.Seal(cipher, caseId) });
        }

        foreach (var (system, ids) in demo.Truth.People[person.Key].Where(s => s.Key != "documents"))
        {
            foreach (var id in ids)
            {
                var prefix = system switch { "education" => "EDU-", "early-help" => "EH-", "social-care" => "CSC-", _ => "" };
                await store.DecideAsync(caseId, system, id, [prefix + id], confirmed: true, null, "officer@test", DateTimeOffset.UtcNow);
            }
        }

        var handler = new CollateSystemHandler(demo.Connectors, store, null!, null!, demo.DataSource, NullLogger<CollateSystemHandler>.Instance);
        foreach (var system in demo.Truth.People[person.Key].Keys.Append("documents").Distinct(StringComparer.Ordinal))
        {
            await RunAsync(demo, handler, caseId, JsonSerializer.Serialize(new { system }));
        }

        var reviewItems = new CollationReviewItems(store);
        var known = new KnownPeople(demo.Connectors, demo.DataSource);
        var others = await known.OthersAsync(caseId, CancellationToken.None);
        var engine = new SuggestionEngine(reviewItems, known, demo.DataSource, cipher);
        var suggestions = await engine.SuggestAsync(caseId, CancellationToken.None);
        var items = (await reviewItems.ItemsAsync(caseId, CancellationToken.None)).ToDictionary(i => i.Id);
        string Covered(Suggestion s) => (s.Field is null ? items[s.ItemId].Text : items[s.ItemId].Fields.First(f => f.Key == s.Field).Value).Substring(s.Start, s.Length);
        var redacted = suggestions.Where(s => s.Action == SuggestionAction.Redact).Select(Covered).ToList();

        Assert.Multiple(() =>
        {
            // His sister shares his address: the early-help family and the pupils' table both know her.
            Assert.That(others.Select(o => $"{o.Given} {o.Family}"), Does.Contain("Danielle Okafor").Or.Contain("Danielle Mensah"));
            Assert.That(suggestions.Where(s => s.Kind == "known-person").Select(Covered), Is.Not.Empty);
            Assert.That(redacted, Has.None.Contains("Daniel Okafor").And.None.Contains("Daniel Mensah").And.None.Contains("daniel.okafor"));
            Assert.That(redacted, Has.None.Contains(person.Upn!).And.None.Contains(person.Postcode));
            Assert.That(suggestions.Where(s => s.Action == SuggestionAction.Consider).Select(s => s.Code), Does.Contain("EDU").And.Contain("SOCIAL"));
        });
    }

    private static string Snippet(string text, int start, int length)
    {
        var from = Math.Max(0, start - 40);
        var to = Math.Min(text.Length, start + length + 40);
        return text[from..to].Replace('\n', ' ');
    }

    private static async Task RunAsync(SuggestionDemoData demo, CollateSystemHandler handler, long caseId, string payload)
    {
        await using var connection = await demo.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        using var json = JsonDocument.Parse(payload);
        await handler.HandleAsync(new JobContext
        {
            JobId = 1,
            Kind = handler.Kind,
            Attempt = 1,
            CaseId = caseId,
            Payload = json.RootElement.Clone(),
            Transaction = transaction,
            Time = TimeProvider.System,
        }, CancellationToken.None);
        await transaction.CommitAsync();
    }
}
