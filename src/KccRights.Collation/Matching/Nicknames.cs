namespace KccRights.Collation.Matching;

/// <summary>
/// Short and formal forms of first names (Tom/Thomas, Dan/Daniel, Olly/Oliver...): a person known as Tom is often
/// recorded as Thomas at school. Each group's first name is the formal form.
/// </summary>
public static class Nicknames
{
    private static readonly string[][] Groups =
    [
        ["Thomas", "Tom", "Tommy"], ["Daniel", "Dan", "Danny"], ["Oliver", "Olly", "Ollie"], ["William", "Will", "Bill", "Billy", "Liam"],
        ["Robert", "Rob", "Bob", "Bobby", "Robbie"], ["James", "Jim", "Jimmy", "Jamie"], ["Joseph", "Joe", "Joey"],
        ["Michael", "Mike", "Mikey", "Mick"], ["Christopher", "Chris"], ["Matthew", "Matt"], ["Benjamin", "Ben", "Benji"],
        ["Samuel", "Sam", "Sammy"], ["Alexander", "Alex", "Alfie", "Sandy"], ["Edward", "Ed", "Eddie", "Ted", "Ned"],
        ["Jonathan", "Jon", "Jonny"], ["Nicholas", "Nick", "Nicky"], ["Anthony", "Tony"], ["Richard", "Rich", "Richie", "Dick"],
        ["Charles", "Charlie", "Chas"], ["Joshua", "Josh"], ["Nathaniel", "Nathan", "Nat"], ["Frederick", "Fred", "Freddie"],
        ["Henry", "Harry", "Hal"], ["Zachary", "Zach", "Zak"], ["Andrew", "Andy", "Drew"], ["Stephen", "Steve", "Stevie"],
        ["Elizabeth", "Liz", "Lizzie", "Beth", "Betty", "Eliza"], ["Katherine", "Kate", "Katie", "Kath", "Kathy"],
        ["Catherine", "Cath", "Cathy", "Kate"], ["Margaret", "Maggie", "Meg", "Peggy"], ["Rebecca", "Becky", "Becca"],
        ["Jessica", "Jess", "Jessie"], ["Victoria", "Vicky", "Tori"], ["Abigail", "Abby", "Abbie"], ["Samantha", "Sam", "Sammie"],
        ["Charlotte", "Lottie", "Charlie"], ["Eleanor", "Ellie", "Nell"], ["Isabella", "Bella", "Izzy"], ["Isabel", "Izzy", "Bel"],
        ["Jennifer", "Jen", "Jenny"], ["Alexandra", "Alex", "Lexi"], ["Natasha", "Tash"], ["Danielle", "Dani"],
        ["Olivia", "Liv", "Livvy"], ["Amelia", "Millie"], ["Emily", "Em"], ["Susan", "Sue", "Susie"], ["Patricia", "Pat", "Trish"],
    ];

    private static readonly Dictionary<string, List<string>> ByName = Build();

    /// <summary>Whether the two first names are forms of one name (not equal ones).</summary>
    public static bool AreVariants(string a, string b)
    {
        var x = a.Trim();
        var y = b.Trim();
        return !string.Equals(x, y, StringComparison.OrdinalIgnoreCase)
            && ByName.TryGetValue(x, out var forms) && forms.Contains(y, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The other form to search for: a short name's formal name, or a formal name's commonest short form.</summary>
    public static string? Alternative(string given)
    {
        var name = given.Trim();
        foreach (var group in Groups)
        {
            var index = Array.FindIndex(group, g => string.Equals(g, name, StringComparison.OrdinalIgnoreCase));
            if (index == 0)
            {
                return group[1];
            }

            if (index > 0)
            {
                return group[0];
            }
        }

        return null;
    }

    /// <summary>Every form of the name, the name itself included.</summary>
    public static IReadOnlyList<string> FormsOf(string given) =>
        ByName.TryGetValue(given.Trim(), out var forms) ? forms : [given.Trim()];

    private static Dictionary<string, List<string>> Build()
    {
        var map = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in Groups)
        {
            foreach (var name in group)
            {
                if (!map.TryGetValue(name, out var list))
                {
                    map[name] = list = [];
                }

                foreach (var other in group.Where(o => !list.Contains(o, StringComparer.OrdinalIgnoreCase)))
                {
                    list.Add(other);
                }
            }
        }

        return map;
    }
}
