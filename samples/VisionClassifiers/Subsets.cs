using MLNetDeep;
using MLNetDeep.Data;

/// <summary>The first rows of an image view, in memory.</summary>
internal static class Subsets
{
    public sealed class Row
    {
        [VectorType(784)]
        public float[] Image { get; set; } = [];

        [KeyType(10)]
        public uint Label { get; set; }
    }

    public static IDataView Take(DeepContext ctx, IdxDataView view, int count)
    {
        if (count >= view.Count) return view;
        var rows = new List<Row>(count);
        using var cursor = view.GetRowCursor();
        while (rows.Count < count && cursor.MoveNext()) rows.Add(new Row { Image = (float[])cursor.GetValue(0), Label = (uint)cursor.GetValue(1) });
        return ctx.Data.LoadFromEnumerable(rows);
    }
}
