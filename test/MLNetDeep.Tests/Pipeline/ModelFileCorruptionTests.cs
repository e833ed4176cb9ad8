using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Persistence;
using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

/// <summary>Broken model files fail with a <see cref="ModelFormatException"/> naming the entry; failed saves leave nothing behind.</summary>
public class ModelFileCorruptionTests
{
    private string _dir = "";
    private string _model = "";

    [SetUp]
    public void SetUp()
    {
        Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "mlnd-mfc-" + Guid.NewGuid().ToString("N")));
        var ctx = new DeepContext(seed: 1);
        var data = PipelineTestData.View(ctx, 30);
        var model = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { NumberOfEpochs = 1, Seed = 1, EmbeddingDimension = 4, HiddenLayerSize = 4 }))
            .Fit(data);
        _model = Path.Combine(_dir, "model.zip");
        ctx.Model.Save(model, data.Schema, _model);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private ModelFormatException LoadFails(string? entry, params string[] fragments)
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelArchive.Load(_model, out _))!;
        Assert.That(ex.Path, Is.EqualTo(_model));
        Assert.That(ex.Message, Does.Contain(_model));
        if (entry is null) Assert.That(ex.Entry, Is.Null);
        else Assert.That(ex.Entry, Does.StartWith(entry));
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f));
        return ex;
    }

    private void Edit(Action<ZipArchive> edit)
    {
        using var zip = ZipFile.Open(_model, ZipArchiveMode.Update);
        edit(zip);
    }

    private static void Replace(ZipArchive zip, string name, byte[] bytes)
    {
        zip.GetEntry(name)!.Delete();
        using var s = zip.CreateEntry(name).Open();
        s.Write(bytes);
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private void EditManifest(Action<JsonObject> edit) => Edit(zip =>
    {
        var manifest = JsonNode.Parse(Read(zip, ModelArchive.ManifestEntry))!.AsObject();
        edit(manifest);
        Replace(zip, ModelArchive.ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
    });

    [Test]
    public void ValidFileLoads() => Assert.That(ModelArchive.Load(_model, out var schema), Is.Not.Null.And.InstanceOf<TransformerChain<ITransformer>>());

    [Test]
    public void TruncatedZip([Values(0.3, 0.9)] double keep)
    {
        var bytes = File.ReadAllBytes(_model);
        File.WriteAllBytes(_model, bytes[..(int)(bytes.Length * keep)]);
        LoadFails(null, "zip");
    }

    [Test]
    public void NotAZip()
    {
        File.WriteAllText(_model, "hello");
        LoadFails(null, "zip");
    }

    [Test]
    public void WrongManifestVersion()
    {
        EditManifest(m => m["formatVersion"] = 99);
        LoadFails("manifest.json:formatVersion", "99", "not supported");
    }

    [Test]
    public void WrongFormatName()
    {
        EditManifest(m => m["format"] = "something-else");
        LoadFails("manifest.json:format");
    }

    [Test]
    public void MissingManifest()
    {
        Edit(zip => zip.GetEntry(ModelArchive.ManifestEntry)!.Delete());
        LoadFails("manifest.json", "missing");
    }

    [Test]
    public void MissingTensorEntry()
    {
        Edit(zip => zip.GetEntry("tensors/0.safetensors")!.Delete());
        LoadFails("tensors/0.safetensors", "missing");
    }

    [Test]
    public void TensorHeaderLiesAboutSizes()
    {
        Edit(zip =>
        {
            var bytes = Read(zip, "tensors/0.safetensors");
            // Grow the first shape's leading dimension (same header length: "[1" -> "[9" style edit on a digit).
            string text = Encoding.ASCII.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0));
            int shape = text.IndexOf("\"shape\":[", StringComparison.Ordinal) + 9;
            bytes[8 + shape] = (byte)(bytes[8 + shape] == (byte)'9' ? '8' : '9');
            Replace(zip, "tensors/0.safetensors", bytes);
        });
        var ex = LoadFails("tensors/0.safetensors");
        Assert.That(ex.InnerException, Is.InstanceOf<MLNetDeep.Tensors.Serialization.SafeTensorsFormatException>());
    }

    [Test]
    public void TruncatedTensorEntry()
    {
        Edit(zip => Replace(zip, "tensors/0.safetensors", Read(zip, "tensors/0.safetensors")[..40]));
        LoadFails("tensors/0.safetensors");
    }

    [Test]
    public void UnknownComponentIsNotResolvedByReflection()
    {
        EditManifest(m => m["model"]!["children"]![0]!["component"] = "System.IO.File, System.Runtime");
        LoadFails("manifest.json:model.children[0]", "unknown component", "System.IO.File");
    }

    [Test]
    public void BadOptionNamesTheField()
    {
        EditManifest(m => m["model"]!["children"]![1]!["options"]!["vocabularies"] = "oops");
        LoadFails("manifest.json:model.children[1].vocabularies[0].terms", "missing");
    }

    [Test]
    public void TensorWithWrongShapeIsRejected()
    {
        EditManifest(m => m["model"]!["children"]![3]!["options"]!["embeddingDimension"] = 5);
        LoadFails("manifest.json:model.children[3]", "TextClassifier");
    }

    [Test]
    public void BadInputSchema()
    {
        EditManifest(m => m["inputSchema"]![0]!["type"] = "Banana");
        LoadFails("manifest.json:inputSchema", "Banana");
    }

    [Test]
    public void RandomDamageGivesTypedErrorsOnly()
    {
        // Seeded byte flips and truncations anywhere in the file: each load succeeds or throws ModelFormatException.
        var original = File.ReadAllBytes(_model);
        var rng = new Random(5);
        int failures = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            var bytes = (byte[])original.Clone();
            if (trial % 3 == 0) bytes = bytes[..rng.Next(bytes.Length)];
            else for (int k = 0; k < 1 + rng.Next(4); k++) bytes[rng.Next(bytes.Length)] ^= (byte)(1 + rng.Next(255));
            File.WriteAllBytes(_model, bytes);
            try { ModelArchive.Load(_model, out _); }
            catch (ModelFormatException) { failures++; }
        }
        Assert.That(failures, Is.GreaterThan(50));
    }

    private sealed class FailingTransformer : ITransformer
    {
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

        public IDataView Transform(IDataView input) => input;

        public void Save(ModelSaveContext context)
        {
            context.SetComponent("Failing", 1);
            context.AddTensor("t", MLNetDeep.Tensors.Tensor.Zeros(2));
            throw new IOException("disk on fire");
        }
    }

    [Test]
    public void FailedSaveLeavesNoFileAndKeepsTheOldOne()
    {
        var before = File.ReadAllBytes(_model);
        var schema = new DataViewSchema([("Text", TextDataViewType.Instance, null)]);
        Assert.Throws<IOException>(() => ModelArchive.Save(new FailingTransformer(), schema, _model));
        Assert.That(File.ReadAllBytes(_model), Is.EqualTo(before), "the previous model is untouched");
        string fresh = Path.Combine(_dir, "new.zip");
        Assert.Throws<IOException>(() => ModelArchive.Save(new FailingTransformer(), schema, fresh));
        Assert.That(File.Exists(fresh), Is.False);
        Assert.That(Directory.GetFiles(_dir), Is.EquivalentTo(new[] { _model }), "no temporary files left behind");
    }
}
