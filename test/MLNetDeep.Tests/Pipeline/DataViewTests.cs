using MLNetDeep.Data;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

public sealed class RichRow
{
    [ColumnName("Features"), VectorType(3)]
    public float[] Values { get; set; } = [];
    public string[] Words { get; set; } = [];
    [KeyType(10)]
    public uint Category { get; set; }
    [KeyType(5)]
    public uint[] Ids { get; set; } = [];
    [ImageType(1, 2, 2)]
    public Tensor? Picture { get; set; }
    public BoundingBox[] Boxes { get; set; } = [];
    public double Weight { get; set; }
    public long Count { get; set; }
    public bool Flag { get; set; }
    [NoColumn]
    public int Ignored { get; set; }
}

public sealed class LoadedRow
{
    [LoadColumn(0)] public string Name { get; set; } = "";
    [LoadColumn(1)] public float Value { get; set; }
    [LoadColumn(2, 3)] public float[] Pair { get; set; } = [];
}

/// <summary>Schemas, loaders, shuffling, splitting and conversions back to objects.</summary>
public class DataViewTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "mlnd-dv-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void SchemaFromAttributesAndRoundTrip()
    {
        var ctx = new DeepContext(1);
        var rows = new[]
        {
            new RichRow { Values = [1, 2, 3], Words = ["a", "b"], Category = 3, Ids = [1, 5], Picture = Tensor.Ones(1, 2, 2), Boxes = [new(1, 2, 3, 4, 1)], Weight = 0.5, Count = 7, Flag = true },
            new RichRow { Values = [4, 5, 6], Words = [], Category = 0, Ids = [], Picture = Tensor.Zeros(1, 2, 2), Weight = -1, Count = 8 },
        };
        var view = ctx.Data.LoadFromEnumerable(rows);
        Assert.That(view.Schema.Select(c => $"{c.Name}:{c.Type}"), Is.EqualTo(new[]
        {
            "Features:Vector<Single,3>", "Words:Vector<Text,0>", "Category:Key<10>", "Ids:Vector<Key<5>,0>", "Picture:Image<1,2,2>",
            "Boxes:BoundingBoxes", "Weight:Double", "Count:Int64", "Flag:Boolean",
        }));
        foreach (var c in view.Schema) Assert.That(DataViewType.Parse(c.Type.ToString()), Is.EqualTo(c.Type));
        Assert.That(view.GetRowCount(), Is.EqualTo(2));
        var back = ctx.Data.CreateEnumerable<RichRow>(view).ToList();
        Assert.That(back[0].Values, Is.EqualTo(rows[0].Values));
        Assert.That(back[0].Boxes, Is.EqualTo(rows[0].Boxes));
        Assert.That(back[1].Ids, Is.Empty);
        Assert.That(back[0].Flag && !back[1].Flag && back[1].Count == 8 && back[0].Category == 3, Is.True);
    }

    [Test]
    public void CreateEnumerableRejectsWrongMemberType()
    {
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromEnumerable(new[] { new TextRow() });
        var ex = Assert.Throws<SchemaMismatchException>(() => ctx.Data.CreateEnumerable<NumberRow>(view))!;
        Assert.That(ex.ColumnName, Is.EqualTo("Text"));
    }

    [Test]
    public void DelimitedFileWithHeaderQuotingAndVectors()
    {
        string path = Path.Combine(_dir, "data.csv");
        File.WriteAllText(path, "name,value,x,y\n\"Smith, J\",1.5,2,3\nplain,-2,4,5\n\n\"say \"\"hi\"\"\",0,0,1\n");
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromTextFile<LoadedRow>(path, ',', hasHeader: true);
        var rows = ctx.Data.CreateEnumerable<LoadedRow>(view).ToList();
        Assert.That(rows.Select(r => r.Name), Is.EqualTo(new[] { "Smith, J", "plain", "say \"hi\"" }));
        Assert.That(rows.Select(r => r.Value), Is.EqualTo(new[] { 1.5f, -2f, 0f }));
        Assert.That(rows[1].Pair, Is.EqualTo(new[] { 4f, 5f }));
        Assert.That(view.Schema["Pair"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 2)));
    }

    [Test]
    public void DelimitedFileErrorsNameFileLineAndColumn()
    {
        string path = Path.Combine(_dir, "bad.tsv");
        File.WriteAllText(path, "a\t1\t2\t3\nb\tnotanumber\t2\t3\n");
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromTextFile<LoadedRow>(path);
        var ex = Assert.Throws<DataLoadException>(() => ctx.Data.CreateEnumerable<LoadedRow>(view).ToList())!;
        Assert.That(ex.Line, Is.EqualTo(2));
        Assert.That(ex.Message, Does.Contain(path).And.Contain("'Value'").And.Contain("notanumber"));
        File.WriteAllText(path, "a\t1\n");
        ex = Assert.Throws<DataLoadException>(() => ctx.Data.CreateEnumerable<LoadedRow>(ctx.Data.LoadFromTextFile<LoadedRow>(path)).ToList())!;
        Assert.That(ex.Message, Does.Contain("'Pair'"));
        File.WriteAllText(path, "\"open\t1\t2\t3\n");
        Assert.Throws<DataLoadException>(() => ctx.Data.CreateEnumerable<LoadedRow>(ctx.Data.LoadFromTextFile<LoadedRow>(path)).ToList());
        Assert.Throws<FileNotFoundException>(() => ctx.Data.LoadFromTextFile<LoadedRow>(Path.Combine(_dir, "none.tsv")));
    }

    [Test]
    public void TextLinesAndParallelText()
    {
        string src = Path.Combine(_dir, "src.txt"), tgt = Path.Combine(_dir, "tgt.txt");
        File.WriteAllText(src, "hello world\n\ngood morning\n");
        File.WriteAllText(tgt, "こんにちは 世界\n\nおはよう\n");
        var ctx = new DeepContext(1);
        Assert.That(ctx.Data.LoadFromTextLines(src).GetColumn<string>("Text"), Is.EqualTo(new[] { "hello world", "good morning" }));
        var pairs = ctx.Data.LoadFromParallelText(src, tgt);
        Assert.That(pairs.GetColumn<string>("Target"), Is.EqualTo(new[] { "こんにちは 世界", "おはよう" }));
        File.AppendAllText(src, "one more\n");
        var ex = Assert.Throws<DataLoadException>(() => ctx.Data.LoadFromParallelText(src, tgt).GetColumn<string>("Source"))!;
        Assert.That(ex.Path, Is.EqualTo(tgt));
        Assert.That(ex.Line, Is.EqualTo(4));
    }

    private static IEnumerable<TextRow> Endless(Action onRow)
    {
        for (long i = 0; ; i++)
        {
            onRow();
            yield return new TextRow { Text = $"row {i} of an endless corpus", Label = (i % 2).ToString() };
        }
    }

    [Test]
    public void CursorsStreamWithoutMaterializing()
    {
        // An endless source: any materialization would never return. Reading 5 transformed rows pulls 5 source rows.
        var ctx = new DeepContext(1);
        long produced = 0;
        var view = ctx.Data.LoadFromEnumerable(Endless(() => produced++));
        Assert.That(view.GetRowCount(), Is.Null);
        var tokenized = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ctx.Transforms.Text.NormalizeText("Words"))
            .Fit(view).Transform(view);
        using (var cursor = tokenized.GetRowCursor())
        {
            for (int i = 0; i < 5; i++) Assert.That(cursor.MoveNext(), Is.True);
            Assert.That(cursor.GetValue<string[]>(tokenized.Schema["Words"]), Is.EqualTo(new[] { "row", "4", "of", "an", "endless", "corpus" }));
        }
        Assert.That(produced, Is.EqualTo(5));
        // A pool shuffle holds only its pool.
        produced = 0;
        using (var cursor = ctx.Data.ShuffleRows(view, seed: 3, shufflePoolSize: 50).GetRowCursor())
        {
            for (int i = 0; i < 10; i++) cursor.MoveNext();
        }
        Assert.That(produced, Is.EqualTo(50 + 9), "the pool is filled once, then topped up one row per row taken");
    }

    [Test]
    public void VocabularyFitStreamsAFileLazily()
    {
        // 200k lines, read by the loader one at a time: memory stays small, and the counts are exact.
        string path = Path.Combine(_dir, "corpus.txt");
        using (var w = new StreamWriter(path))
            for (int i = 0; i < 200_000; i++) w.WriteLine($"w{i % 1000} common w{i % 7}");
        var ctx = new DeepContext(1);
        var lines = ctx.Data.LoadFromTextLines(path);
        long before = GC.GetTotalMemory(true);
        var vocab = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ctx.Transforms.Conversion.MapValueToKey("Ids", "Words")).Fit(lines);
        long held = GC.GetTotalMemory(true) - before;
        var terms = ((MLNetDeep.Conversion.ValueToKeyMappingTransformer)vocab.LastTransformer!).Vocabularies[0].Terms;
        Assert.That(terms[0], Is.EqualTo("common"));
        Assert.That(terms, Has.Count.EqualTo(1001)); // w0..w999 and "common"
        Assert.That(held, Is.LessThan(new FileInfo(path).Length / 2), "the fitted pipeline must not hold the corpus");
    }

    [Test]
    public void ShuffleIsSeededAndAPermutation()
    {
        var ctx = new DeepContext(1);
        var list = Enumerable.Range(0, 100).Select(i => new TextRow { Text = i.ToString() }).ToList();
        var exact = ctx.Data.LoadFromEnumerable(list);
        var streamed = ctx.Data.LoadFromEnumerable(list.Select(r => r));
        foreach (var source in new[] { exact, streamed })
        {
            var a = ctx.Data.ShuffleRows(source, seed: 5, shufflePoolSize: 16).GetColumn<string>("Text");
            var b = ctx.Data.ShuffleRows(source, seed: 5, shufflePoolSize: 16).GetColumn<string>("Text");
            Assert.That(a, Is.EqualTo(b), "same seed, same order");
            Assert.That(a, Is.EquivalentTo(list.Select(r => r.Text)), "a permutation");
            Assert.That(a, Is.Not.EqualTo(list.Select(r => r.Text)), "actually shuffled");
        }
    }

    [Test]
    public void TrainTestSplitIsDisjointAndComplete()
    {
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromEnumerable(Enumerable.Range(0, 1000).Select(i => new TextRow { Text = i.ToString() }).ToList());
        var (train, test) = ctx.Data.TrainTestSplit(view, 0.2, seed: 9);
        var a = train.GetColumn<string>("Text");
        var b = test.GetColumn<string>("Text");
        Assert.That(a.Intersect(b), Is.Empty);
        Assert.That(a.Count + b.Count, Is.EqualTo(1000));
        Assert.That(b.Count, Is.InRange(150, 250));
    }

    [Test]
    public void SchemaLookupNamesTheColumn()
    {
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromEnumerable(new[] { new TextRow() });
        var ex = Assert.Throws<SchemaMismatchException>(() => _ = view.Schema["Nope"])!;
        Assert.That(ex.ColumnName, Is.EqualTo("Nope"));
        Assert.That(ex.Message, Does.Contain("'Text'"));
        using var cursor = view.GetRowCursor();
        cursor.MoveNext();
        Assert.Throws<SchemaMismatchException>(() => cursor.GetValue<float>(view.Schema["Text"]));
    }
}
