using MLNetDeep.Data;

namespace MLNetDeep.Tests.Pipeline;

public sealed class TextRow
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class WrongIds
{
    public string Ids { get; set; } = "1";
}

public sealed class NumberRow
{
    public float Text { get; set; }
    public float Label { get; set; }
}

/// <summary>Seeded sentences whose words give away their class: "sports" / "cooking" / "weather".</summary>
public static class PipelineTestData
{
    private static readonly string[] Classes = ["sports", "cooking", "weather"];
    private static readonly string[][] Words =
    [
        ["goal", "match", "team", "Score", "coach", "league", "ball", "referee"],
        ["oven", "recipe", "salt", "Butter", "simmer", "flour", "pan", "garlic"],
        ["rain", "cloud", "storm", "Wind", "forecast", "sunny", "snow", "humid"],
    ];
    private static readonly string[] Filler = ["the", "a", "today", "very", "and", "was", "is", "of"];

    public static List<TextRow> Make(int rows, int seed)
    {
        var rng = new Random(seed);
        var list = new List<TextRow>(rows);
        for (int i = 0; i < rows; i++)
        {
            int c = rng.Next(Classes.Length);
            int n = 3 + rng.Next(6);
            var words = new List<string>();
            for (int k = 0; k < n; k++)
                words.Add(rng.NextDouble() < 0.6 ? Words[c][rng.Next(Words[c].Length)] : Filler[rng.Next(Filler.Length)]);
            list.Add(new TextRow { Text = string.Join(rng.Next(2) == 0 ? " " : "  ", words), Label = Classes[c] });
        }
        return list;
    }

    public static IDataView View(DeepContext ctx, int rows = 60, int seed = 1) => ctx.Data.LoadFromEnumerable(Make(rows, seed));

    public static IDataView Invalid(DeepContext ctx) => ctx.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1, Label = 2 } });
}
