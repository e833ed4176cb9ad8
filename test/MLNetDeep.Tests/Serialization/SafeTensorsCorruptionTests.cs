using System.Buffers.Binary;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Serialization;
using NUnit.Framework;

namespace MLNetDeep.Tests.Serialization;

/// <summary>Malformed files must fail with a <see cref="SafeTensorsFormatException"/> that says where and what.</summary>
public class SafeTensorsCorruptionTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "mlnd-stc-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private SafeTensorsFormatException LoadFails(byte[] file, string? entry, string? field, params string[] fragments)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, file);
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path))!;
        Assert.That(ex.SourceName, Is.EqualTo(path));
        Assert.That(ex.Message, Does.Contain(path));
        Assert.That(ex.Entry, Is.EqualTo(entry));
        Assert.That(ex.Field, Is.EqualTo(field));
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f));
        // The same bytes through a pipe-like stream fail the same way (no length known up front).
        var viaPipe = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(new SafeTensorsTests.ForwardOnlyStream(file), "pipe"))!;
        Assert.That(viaPipe.Message, Does.Contain("'pipe'"));
        return ex;
    }

    private static byte[] Hand(string json, int dataBytes) => SafeTensorsTests.HandFile(json, new byte[dataBytes]);

    private static byte[] Valid()
    {
        var ms = new MemoryStream();
        SafeTensors.Write(ms, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(2, 3), ["b"] = Tensor.Zeros([4], DType.Int64) });
        return ms.ToArray();
    }

    [Test]
    public void TruncatedDataIsReported()
    {
        var file = Valid();
        LoadFails(file[..^5], null, null, "truncated");
    }

    [Test]
    public void TruncatedHeaderAndLengthPrefixAreReported()
    {
        var file = Valid();
        LoadFails(file[..3], null, null, "header length", "truncated");
        LoadFails(file[..20], null, null, "truncated");
    }

    [Test]
    public void HugeHeaderLengthIsRejectedWithoutAllocating()
    {
        var file = Valid();
        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue);
        LoadFails(file, null, null, "exceeds the 100000000-byte limit");
        BinaryPrimitives.WriteUInt64LittleEndian(file, 50_000_000);
        string path = Path.Combine(_dir, "long.safetensors");
        File.WriteAllBytes(path, file);
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path))!;
        Assert.That(ex.Message, Does.Contain("exceeds the").And.Contain("bytes that follow it"));
    }

    [Test]
    public void OverlappingOffsetsAreRejected()
    {
        var ex = LoadFails(Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
            "b", "data_offsets", "overlaps entry 'a'");
        Assert.That(ex.Message, Does.Contain("[4, 12)"));
    }

    [Test]
    public void HolesInTheBufferAreRejected()
    {
        LoadFails(Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16),
            "b", "data_offsets", "hole", "[8, 12)");
        LoadFails(Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "a", "data_offsets", "hole", "[0, 4)");
    }

    [Test]
    public void TrailingBytesAfterTheDescribedDataAreRejected()
    {
        LoadFails(Hand("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9), null, null, "trailing");
    }

    [TestCase("F17", "unknown dtype 'F17'")]
    [TestCase("F16", "'F16' is not supported")]
    [TestCase("f32", "unknown dtype")]
    public void BadDTypesAreRejected(string dtype, string fragment)
    {
        LoadFails(Hand("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "w", "dtype", fragment);
    }

    [Test]
    public void WrongByteCountIsRejected()
    {
        LoadFails(Hand("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20), "w", "data_offsets", "holds 20 bytes", "F32 [2, 3] needs 24");
    }

    [TestCase("not json at all")]
    [TestCase("{\"a\":{\"dtype\":\"F32\",")]
    [TestCase("{\"a\":1,}")]
    public void NonJsonHeadersAreRejected(string header)
    {
        LoadFails(Hand(header, 0), null, null, "not valid UTF-8 JSON");
    }

    [Test]
    public void InvalidUtf8IsRejected()
    {
        var bytes = SafeTensorsTests.HandFile("{\"a\":{}}", []);
        bytes[10] = 0xFF; // inside the key
        LoadFails(bytes, null, null, "not valid UTF-8 JSON");
    }

    [TestCase("[1,2]", null, null, "must be a JSON object")]
    [TestCase("{\"w\":[1]}", "w", null, "must be an object")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", "w", "shape", "dimension 0 is negative")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "w", "shape", "not an integer")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", "w", "shape", "must be an array")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", "w", "shape", "more than 2147483647 elements")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "w", "data_offsets", "before begin")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "w", "data_offsets", "[begin, end]")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", "w", "data_offsets", "non-negative")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,18446744073709551615]}}", "w", "data_offsets", "non-negative integer below 2^63")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", "w", "data_offsets", "missing")]
    [TestCase("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", "w", "dtype", "must be a string")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", "w", "extra", "unknown field")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "w", "dtype", "more than once")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "w", null, "more than once")]
    [TestCase("{\"__metadata__\":{\"k\":1}}", "__metadata__", "k", "must be strings")]
    [TestCase("{\"__metadata__\":[\"k\"]}", "__metadata__", null, "must be an object")]
    [TestCase("{\"__metadata__\":{\"k\":{\"nested\":\"x\"}}}", "__metadata__", "k", "must be strings")]
    public void MalformedEntriesNameTheEntryAndField(string json, string? entry, string? field, string fragment)
    {
        LoadFails(Hand(json, 8), entry, field, fragment);
    }

    [Test]
    public void LyingHeaderOnAPipeDoesNotAllocateTheClaimedSize()
    {
        // Claims ~16 GB of F64 data but supplies 16 bytes: must report truncation, not attempt the allocation.
        var file = Hand("{\"w\":{\"dtype\":\"F64\",\"shape\":[2147483647],\"data_offsets\":[0,17179869176]}}", 16);
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(new SafeTensorsTests.ForwardOnlyStream(file), "pipe"))!;
        Assert.That(ex.Message, Does.Contain("truncated"));
        string path = Path.Combine(_dir, "liar.safetensors");
        File.WriteAllBytes(path, file);
        ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path))!;
        Assert.That(ex.Message, Does.Contain("describes 17179869176 bytes").And.Contain("truncated"));
    }

    [Test]
    public void DeeplyNestedHeaderIsRejected()
    {
        string deep = "{\"__metadata__\":" + new string('[', 100) + new string(']', 100) + "}";
        LoadFails(Hand(deep, 0), null, null, "not valid UTF-8 JSON");
    }
}

public class SafeTensorsFuzzTests
{
    [Test]
    public void EscapedLoneSurrogatesAreRejected()
    {
        foreach (var json in new[] { "{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "{\"__metadata__\":{\"k\":\"\\udc00\"}}", "{\"w\":{\"dtype\":\"\\ud800\",\"shape\":[],\"data_offsets\":[0,4]}}" })
        {
            var file = SafeTensorsTests.HandFile(json, new byte[4]);
            Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(new MemoryStream(file), "s"), json);
        }
    }

    [Test]
    public void RandomByteCorruptionOnlyEverRaisesFormatExceptions()
    {
        var ms = new MemoryStream();
        SafeTensors.Write(ms, new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.Ones(2, 3), ["b"] = Tensor.Zeros([4], DType.Int64), ["c"] = Tensor.Scalar(1, DType.Float64),
        }, new Dictionary<string, string> { ["m"] = "x" });
        var valid = ms.ToArray();
        var g = new Generator(123);
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var bytes = (byte[])valid.Clone();
            int edits = 1 + g.NextInt(3);
            for (int k = 0; k < edits; k++)
            {
                // Bias edits toward the length prefix and header, where the interesting structure is.
                int at = g.NextDouble() < 0.9 ? g.NextInt(Math.Min(bytes.Length, 8 + 200)) : g.NextInt(bytes.Length);
                bytes[at] = g.NextDouble() < 0.5 ? (byte)g.NextInt(256) : (byte)"{}[]\",:0123456789-. e"[g.NextInt(21)];
            }
            if (g.NextDouble() < 0.2) bytes = bytes[..g.NextInt(bytes.Length)];
            try
            {
                SafeTensors.Read(new MemoryStream(bytes), "fuzz");
                SafeTensors.Read(new SafeTensorsTests.ForwardOnlyStream(bytes), "fuzz");
            }
            catch (SafeTensorsFormatException) { failures++; }
        }
        Assert.That(failures, Is.GreaterThan(1000));
    }
}
