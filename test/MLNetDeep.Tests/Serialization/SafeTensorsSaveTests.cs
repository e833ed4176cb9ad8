using System.Collections;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Serialization;
using NUnit.Framework;

namespace MLNetDeep.Tests.Serialization;

public class SafeTensorsSaveTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "mlnd-sts-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A dictionary whose enumeration throws after <paramref name="failAfter"/> entries.</summary>
    private sealed class ExplodingDictionary(int failAfter) : IReadOnlyDictionary<string, Tensor>
    {
        private readonly Dictionary<string, Tensor> _items = Enumerable.Range(0, 5).ToDictionary(i => $"t{i}", i => Tensor.Full([100], i));
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            int n = 0;
            foreach (var kv in _items)
            {
                if (n++ == failAfter) throw new InvalidOperationException("enumeration failed midway");
                yield return kv;
            }
        }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public int Count => _items.Count;
        public bool ContainsKey(string key) => _items.ContainsKey(key);
        public bool TryGetValue(string key, out Tensor value) => _items.TryGetValue(key, out value!);
        public Tensor this[string key] => _items[key];
        public IEnumerable<string> Keys => _items.Keys;
        public IEnumerable<Tensor> Values => _items.Values;
    }

    [Test]
    public void FailedSaveLeavesTheOldFileIntactAndNoTemporaryFiles()
    {
        string path = Path.Combine(_dir, "ckpt.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["old"] = Tensor.Ones(3) });
        var before = File.ReadAllBytes(path);

        var ex = Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(path, new ExplodingDictionary(failAfter: 3)))!;
        Assert.That(ex.Message, Is.EqualTo("enumeration failed midway"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(1) },
            new Dictionary<string, string> { ["bad"] = null! }));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
        Assert.That(SafeTensors.Load(path).Tensors["old"].ToArray<float>(), Is.EqualTo(new[] { 1f, 1f, 1f }));
    }

    [Test]
    public void FailedSaveToANewPathCreatesNothing()
    {
        string path = Path.Combine(_dir, "new.safetensors");
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(path, new ExplodingDictionary(failAfter: 0)));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    [Test]
    public void SaveOverwritesAnExistingFile()
    {
        string path = Path.Combine(_dir, "ckpt.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(100) });
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["b"] = Tensor.Scalar(2) });
        var loaded = SafeTensors.Load(path);
        Assert.That(loaded.Tensors.Keys, Is.EqualTo(new[] { "b" }));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
    }

    private static Sequential Model(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Embedding(10, 4, paddingIdx: 0, generator: g), new Flatten(), new Linear(12, 5, generator: g),
            new GELU(), new Dropout(0.1), new Linear(5, 2, generator: g, dtype: DType.Float32));
    }

    [Test]
    public void ModuleParametersRoundTripBitExactThroughAFile()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        var source = Model(1);
        source.SaveParameters(path, new Dictionary<string, string> { ["epoch"] = "3" });
        var target = Model(2);
        var result = target.LoadParameters(path);

        Assert.That(result.MissingKeys, Is.Empty);
        Assert.That(SafeTensors.Load(path).Metadata["epoch"], Is.EqualTo("3"));
        foreach (var (name, t) in source.StateDict())
            Assert.That(SafeTensorsTests.Bits(target.StateDict()[name]), Is.EqualTo(SafeTensorsTests.Bits(t)), name);
        source.Eval();
        target.Eval();
        var ids = Tensor.FromArray([1L, 2, 3, 0, 9, 4], 2, 3);
        Assert.That(target.Forward(ids).ToArray<float>(), Is.EqualTo(source.Forward(ids).ToArray<float>()));
    }

    [Test]
    public void LoadingIntoADifferentArchitectureNamesTheKey()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        Model(1).SaveParameters(path);
        var other = new Sequential(new Embedding(10, 4), new Flatten(), new Linear(12, 6));
        var ex = Assert.Throws<StateDictException>(() => other.LoadParameters(path))!;
        Assert.That(ex.Message, Does.Contain("'5.weight'"));
        var ex2 = Assert.Throws<StateDictException>(() => other.LoadParameters(path, strict: false))!;
        Assert.That(ex2.Key, Is.EqualTo("2.weight"));
        Assert.That(ex2.Message, Does.Contain("[5, 12]").And.Contain("[6, 12]"));
    }

    [Test]
    public void EmptyParametersRoundTrip()
    {
        string path = Path.Combine(_dir, "empty.safetensors");
        var source = new Linear(0, 3, generator: new Generator(1));
        source.SaveParameters(path);
        var target = new Linear(0, 3, generator: new Generator(2));
        target.LoadParameters(path);
        Assert.That(target.Weight.Shape.ToArray(), Is.EqualTo(new[] { 3, 0 }));
        Assert.That(target.Bias!.ToArray<float>(), Is.All.EqualTo(0f));
    }
}
