using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Collation.Matching;

namespace KccRights.Collation.Tests;

public class MatchingTests
{
    private static IEnumerable<PlantedPerson> Subjects => DemoSystems.People.Where(p => p.IsSubject);

    private static PersonQuery FullQuery(PlantedPerson p) => new(p.Given, p.Family, p.PreviousFamily, p.DateOfBirth, p.Postcode, p.Upn);

    private static PersonQuery NameAndBirthQuery(PlantedPerson p) => new(p.Given, p.Family, p.PreviousFamily, p.DateOfBirth);

    [TestCaseSource(nameof(Subjects))]
    public async Task PlantedSubject_IsFoundInExactlyTheSystemsPeopleTsvLists_RankedFirstThere(PlantedPerson subject)
    {
        var demo = await DemoSystems.GetAsync();
        foreach (var query in new[] { FullQuery(subject), NameAndBirthQuery(subject) })
        {
            var result = await new PersonMatcher(demo.Connectors).FindAsync(query);
            Assert.That(result.Failures, Is.Empty);
            var matchedSystems = result.Candidates.Where(c => c.Band == PersonMatcher.Match).Select(c => c.System).Distinct().Order(StringComparer.Ordinal);
            Assert.That(matchedSystems, Is.EqualTo(subject.Systems.Order(StringComparer.Ordinal)), $"{subject.Key}: systems with a match ({query})");
            foreach (var system in subject.Systems)
            {
                var first = result.Candidates.First(c => c.System == system);
                Assert.That(first.PersonId, Is.EqualTo(demo.Truth.People[subject.Key][system].Single()), $"{subject.Key} ranked first in {system}");
                Assert.That(result.Candidates.Count(c => c.System == system && c.Band == PersonMatcher.Match), Is.EqualTo(1), $"{subject.Key}: one match in {system}");
            }
        }
    }

    [TestCaseSource(nameof(Subjects))]
    public async Task NearMissesAndFamilyMembers_AreNeverInBandMatch(PlantedPerson subject)
    {
        var demo = await DemoSystems.GetAsync();
        var others = DemoSystems.People.Where(p => p.NearMissOf == subject.Key).ToList();
        var otherIds = others.SelectMany(o => demo.Truth.People[o.Key].Where(s => s.Key != "documents").SelectMany(s => s.Value.Select(id => (s.Key, id)))).ToHashSet();
        foreach (var query in new[] { FullQuery(subject), NameAndBirthQuery(subject) })
        {
            var result = await new PersonMatcher(demo.Connectors).FindAsync(query);
            var found = result.Candidates.Where(c => otherIds.Contains((c.System, c.PersonId))).ToList();
            Assert.That(found.Where(c => c.Band == PersonMatcher.Match), Is.Empty, $"{subject.Key}: a near-miss or relative in band match");
        }

        // Searching for each near-miss or relative by their own details never makes the subject a match either.
        foreach (var other in others)
        {
            var result = await new PersonMatcher(demo.Connectors).FindAsync(FullQuery(other));
            var subjectIds = demo.Truth.People[subject.Key].SelectMany(s => s.Value.Select(id => (s.Key, id))).ToHashSet();
            Assert.That(result.Candidates.Where(c => subjectIds.Contains((c.System, c.PersonId)) && c.Band == PersonMatcher.Match), Is.Empty, $"{other.Key} matched {subject.Key}");
        }
    }

    [Test]
    public async Task Reasons_ExplainTheScore_ForAPreviousSurnameAndANearMiss()
    {
        var demo = await DemoSystems.GetAsync();
        var daniel = DemoSystems.People.Single(p => p.Key == "P01");
        var result = await new PersonMatcher(demo.Connectors).FindAsync(FullQuery(daniel));
        var education = result.Candidates.First(c => c.System == "education");
        Assert.That(education.Reasons, Is.SupersetOf(new[] { "previous surname equal", "date of birth equal", "UPN equal", "postcode equal" }));
        var nearMiss = result.Candidates.Single(c => c.PersonId == demo.Truth.People["P01a"]["education"].Single());
        Assert.That(nearMiss.Reasons, Does.Contain("date of birth differs by 31 days"));
        Assert.That(nearMiss.Band, Is.EqualTo(PersonMatcher.Unlikely));
    }

    [Test]
    public async Task DayAndMonthSwapped_IsADifferenceNotAMatch()
    {
        var demo = await DemoSystems.GetAsync();
        var jade = DemoSystems.People.Single(p => p.Key == "P03");
        var result = await new PersonMatcher(demo.Connectors).FindAsync(NameAndBirthQuery(jade));
        var swapped = result.Candidates.Single(c => c.PersonId == demo.Truth.People["P03a"]["education"].Single());
        Assert.That(swapped.Reasons, Does.Contain("date of birth differs: day and month swapped"));
        Assert.That(swapped.Band, Is.Not.EqualTo(PersonMatcher.Match));
    }

    [Test]
    public async Task FindPersonQueries_UseTheTrigramAndEqualityIndexes()
    {
        var demo = await DemoSystems.GetAsync();
        await using var connection = await demo.DataSource.OpenConnectionAsync();
        var education = demo.Options.Find("education")!.FindPerson!.Query!;
        await using var command = new Npgsql.NpgsqlCommand("SET enable_seqscan = off; EXPLAIN " + education, connection);
        command.Parameters.AddWithValue("given", "Daniel");
        command.Parameters.AddWithValue("given_alt", "Dan");
        command.Parameters.AddWithValue("family", "Okafor");
        command.Parameters.AddWithValue("previous_family", "Mensah");
        command.Parameters.AddWithValue("dob", new DateOnly(1997, 3, 14));
        command.Parameters.AddWithValue("postcode", "CT9 1AB");
        command.Parameters.AddWithValue("upn", "Q886402899112");
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.That(string.Join('\n', plan), Does.Contain("Bitmap Index Scan on pupils_").And.Not.Contain("Seq Scan"));
    }
}
