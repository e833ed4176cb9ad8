using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Serialization;
using NUnit.Framework;

namespace MLNetDeep.Tests.Serialization;

public class SafeTensorsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "mlnd-st-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>Builds a file by hand: u64 LE header length, the header text verbatim, then raw data.</summary>
    internal static byte[] HandFile(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    internal static long[] Bits(Tensor t) => t.Numel == 0 ? [] : Nn.ModuleTests.BitsOf(t); // core: ToArray throws on e.g. [2, 0, 3]

    private static OrderedDictionary<string, Tensor> Sample()
    {
        var special = new[] { 0f, -0f, 1.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, float.PositiveInfinity, BitConverter.Int32BitsToSingle(0x7FC0_1234) };
        return new OrderedDictionary<string, Tensor>
        {
            ["f32"] = Tensor.FromArray(special, 2, 4),
            ["f64"] = Tensor.FromArray(new[] { Math.PI, -1e-310, double.NaN, 1e300, -0.0, 2.0 }, 3, 1, 2),
            ["i64"] = Tensor.FromArray(new[] { long.MinValue, -1L, 0L, long.MaxValue }, 4),
            ["scalar"] = Tensor.Scalar(7.25, DType.Float64),
            ["empty"] = Tensor.Zeros([0], DType.Float32),
            ["empty3d"] = Tensor.Zeros([2, 0, 3], DType.Int64),
            ["i64scalar"] = Tensor.Scalar(-5, DType.Int64),
            ["z.last"] = Tensor.Randn([5, 3], new Generator(1)).T, // non-contiguous view: written row-major
        };
    }

    [Test]
    public void FileRoundTripIsBitExactForAllDTypesScalarsAndEmptyTensors()
    {
        var tensors = Sample();
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" <tag>" };
        string path = Path.Combine(_dir, "model.safetensors");
        SafeTensors.Save(path, tensors, meta);

        var loaded = SafeTensors.Load(path);
        Assert.That(loaded.Tensors.Keys, Is.EqualTo(tensors.Keys));
        foreach (var (name, t) in tensors)
        {
            var l = loaded.Tensors[name];
            Assert.That(l.DType, Is.EqualTo(t.DType), name);
            Assert.That(l.Shape.ToArray(), Is.EqualTo(t.Shape.ToArray()), name);
            Assert.That(Bits(l), Is.EqualTo(Bits(t)), name);
        }
        Assert.That(loaded.Metadata, Is.EqualTo(meta));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(8 + HeaderLength(path) + 4 * 8 + 8 * 6 + 8 * 4 + 8 + 0 + 0 + 8 + 4 * 15));
    }

    private static long HeaderLength(string path) => (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8));

    [Test]
    public void WriterProducesTheExactByteLayout()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.FromArray([1f, -2f], 2),
            ["n"] = Tensor.FromArray([258L], 1),
        }, new Dictionary<string, string> { ["fmt"] = "pt" });
        var bytes = stream.ToArray();

        const string json = "{\"__metadata__\":{\"fmt\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}}";
        int padded = (json.Length + 7) / 8 * 8;
        var expected = new List<byte>();
        expected.AddRange(BitConverter.GetBytes((ulong)padded).Take(8)); // little-endian on every supported host
        expected.AddRange(Encoding.ASCII.GetBytes(json.PadRight(padded, ' ')));
        expected.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 });             // 1f, -2f
        expected.AddRange(new byte[] { 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 });             // 258L
        Assert.That(BitConverter.IsLittleEndian, Is.True);
        Assert.That(bytes, Is.EqualTo(expected.ToArray()));
        Assert.That((8 + padded) % 8, Is.EqualTo(0));
    }

    [Test]
    public void ReaderAcceptsAHandWrittenFileWithUnpaddedHeaderAndOutOfOrderOffsets()
    {
        // "b" is listed first but stored second; the header is not padded; "e" is empty and sits at the end.
        const string json = "{\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[12,28]},\"e\":{\"dtype\":\"F64\",\"shape\":[0,4],\"data_offsets\":[28,28]},"
                          + " \"a\":{\"shape\":[1,3],\"data_offsets\":[0,12],\"dtype\":\"F32\"},\"__metadata__\":{}}";
        var data = new List<byte>();
        foreach (var f in new[] { 0.5f, -1f, 3f }) data.AddRange(BitConverter.GetBytes(f));
        foreach (var l in new[] { 7L, -9L }) data.AddRange(BitConverter.GetBytes(l));
        string path = Path.Combine(_dir, "hand.safetensors");
        File.WriteAllBytes(path, HandFile(json, data.ToArray()));

        var file = SafeTensors.Load(path);
        Assert.That(file.Tensors.Keys, Is.EqualTo(new[] { "b", "e", "a" }));
        Assert.That(file.Tensors["a"].ToArray<float>(), Is.EqualTo(new[] { 0.5f, -1f, 3f }));
        Assert.That(file.Tensors["a"].Shape.ToArray(), Is.EqualTo(new[] { 1, 3 }));
        Assert.That(file.Tensors["b"].ToArray<long>(), Is.EqualTo(new[] { 7L, -9L }));
        Assert.That(file.Tensors["e"].Shape.ToArray(), Is.EqualTo(new[] { 0, 4 }));
        Assert.That(file.Metadata, Is.Empty);
        Assert.That(file.Tensors["a"].RequiresGrad, Is.False);
    }

    [Test]
    public void StreamRoundTripWorksForNonSeekableStreams()
    {
        var ms = new MemoryStream();
        var tensors = Sample();
        SafeTensors.Write(ms, tensors);
        var loaded = SafeTensors.Read(new ForwardOnlyStream(ms.ToArray()), "pipe");
        foreach (var (name, t) in tensors) Assert.That(Bits(loaded.Tensors[name]), Is.EqualTo(Bits(t)), name);
        Assert.That(loaded.Metadata, Is.Empty);
    }

    [Test]
    public void EmptyDictionaryRoundTrips()
    {
        var ms = new MemoryStream();
        SafeTensors.Write(ms, new Dictionary<string, Tensor>());
        ms.Position = 0;
        Assert.That(SafeTensors.Read(ms).Tensors, Is.Empty);
    }

    [Test]
    public void WriterRejectsTheReservedName()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(new MemoryStream(), new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
    }

    [Test]
    public void NumpyReaderAgreesWithOurFile()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c \"import numpy\"").Code != 0) Assert.Ignore("python3 with numpy is not available.");
        var tensors = new OrderedDictionary<string, Tensor>
        {
            ["w"] = Tensor.Randn([3, 4], new Generator(5)),
            ["d"] = Tensor.FromArray(new[] { 1.0 / 3, -2.5e-300, 1e300 }, 3),
            ["i"] = Tensor.FromArray(new[] { long.MinValue, 42L }, 2, 1),
            ["s"] = Tensor.Scalar(0.1),
            ["e"] = Tensor.Zeros([0, 2]),
        };
        string path = Path.Combine(_dir, "np.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        string script = Path.Combine(_dir, "reader.py");
        File.WriteAllText(script, """
            import json, struct, sys
            import numpy as np
            raw = open(sys.argv[1], 'rb').read()
            (n,) = struct.unpack('<Q', raw[:8])
            header = json.loads(raw[8:8 + n].decode('utf-8'))
            data = raw[8 + n:]
            kinds = {'F32': '<f4', 'F64': '<f8', 'I64': '<i8'}
            out = {'aligned': (8 + n) % 8 == 0, 'metadata': header.pop('__metadata__', None), 'tensors': {}}
            for name, e in header.items():
                b, end = e['data_offsets']
                a = np.frombuffer(data[b:end], dtype=kinds[e['dtype']]).reshape(e['shape'])
                vals = a.ravel().tolist() if e['dtype'] == 'I64' else a.astype(np.float64).ravel().tolist()
                out['tensors'][name] = {'dtype': e['dtype'], 'shape': list(a.shape), 'values': vals}
            print(json.dumps(out))
            """);
        var (code, stdout, stderr) = Run(python, $"\"{script}\" \"{path}\"");
        Assert.That(code, Is.EqualTo(0), stderr);

        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("aligned").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("metadata").GetProperty("k").GetString(), Is.EqualTo("v"));
        foreach (var (name, t) in tensors)
        {
            var e = root.GetProperty("tensors").GetProperty(name);
            Assert.That(e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()), Is.EqualTo(t.Shape.ToArray()), name);
            var values = e.GetProperty("values").EnumerateArray();
            if (t.DType == DType.Int64) Assert.That(values.Select(v => v.GetInt64()), Is.EqualTo(t.ToArray<long>()), name);
            else Assert.That(values.Select(v => v.GetDouble()), Is.EqualTo(t.ToDoubleArray()), name);
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(string exe, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>A read-only stream that cannot seek or report its length (like a pipe).</summary>
    internal sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
