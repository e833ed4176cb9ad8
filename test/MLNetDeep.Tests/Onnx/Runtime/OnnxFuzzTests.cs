using System.Diagnostics;
using Google.Protobuf;
using MLNetDeep.Onnx;
using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>
/// Hostile files: 10,000+ seeded mutations of small valid models (byte flips, truncation, huge and
/// negative dims, lying raw_data lengths, cycles, missing inputs, wrong attribute types, swapped
/// operators). Each must load and run or fail with an <see cref="OnnxException"/>; none may crash,
/// take more than a few seconds, or allocate more than a bound derived from the configured limits.
/// </summary>
[TestFixture]
public sealed class OnnxFuzzTests
{
    private const int Cases = 10_000;
    private const long AllocationBound = 64L << 20; // generous: the limits below allow at most 4 MiB of tensors per value

    private static readonly OnnxLoadOptions Limits = new()
    {
        MaxFileBytes = 1 << 20,
        MaxTensorElements = 1 << 18,
        MaxTensorBytes = 1 << 20,
        MaxTotalInitializerBytes = 2 << 20,
        MaxRuntimeTensorElements = 1 << 18,
        MaxNodes = 64,
        MaxRank = 6,
    };

    [Test]
    public void MutatedModelsFailOnlyWithTypedExceptions()
    {
        var task = Task.Run(RunAll);
        Assert.That(task.Wait(TimeSpan.FromSeconds(240)), Is.True, "fuzzing hung");
        var (loaded, ran, rejected) = task.Result;
        TestContext.Out.WriteLine($"{Cases} cases: {loaded} loaded, {ran} ran, {rejected} rejected with typed exceptions");
        Assert.That(loaded, Is.GreaterThan(0), "no mutated model loaded: the fuzzer only tests the parser");
        Assert.That(rejected, Is.GreaterThan(Cases / 10), "too few rejections: mutations are not hostile");
    }

    [Test]
    public void BaseModelsAreValid()
    {
        foreach (var m in BaseModels())
        {
            var model = OnnxModel.Load(m.ToByteArray(), Limits);
            var outs = new OnnxSession(model).Run(Feeds(model)!);
            Assert.That(outs, Is.Not.Empty);
        }
    }

    [Test]
    public void LimitsAreEnforcedBeforeAllocation()
    {
        var m = BaseModels()[0];
        var t = m.Graph.Initializer[0];
        t.Dims.Clear();
        t.Dims.Add(1L << 40);
        t.Dims.Add(1L << 40);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<OnnxLimitException>(() => OnnxModel.Load(m.ToByteArray(), Limits));
        Assert.That(e!.Message, Does.Contain(t.Name));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));

        var m2 = BaseModels()[0];
        m2.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[3]);
        var e2 = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(m2.ToByteArray(), Limits));
        Assert.That(e2!.Message, Does.Contain("raw_data"));

        var m3 = BaseModels()[0];
        m3.Graph.Node[0].Input[0] = m3.Graph.Node[^1].Output[0];
        var e3 = Assert.Throws<OnnxModelException>(() => OnnxModel.Load(m3.ToByteArray(), Limits));
        Assert.That(e3!.Message, Does.Contain("cycle"));

        Assert.Throws<OnnxLimitException>(() => OnnxModel.Load(new byte[(1 << 20) + 1], Limits));
    }

    private static (int Loaded, int Ran, int Rejected) RunAll()
    {
        var rng = new Random(12345);
        var bases = BaseModels();
        var baseBytes = bases.Select(b => b.ToByteArray()).ToArray();
        int loaded = 0, ran = 0, rejected = 0;
        var sw = new Stopwatch();
        for (int i = 0; i < Cases; i++)
        {
            int which = rng.Next(bases.Length);
            int kind = rng.Next(9);
            byte[] bytes = kind switch
            {
                0 or 1 => FlipBytes(baseBytes[which], rng),
                2 => baseBytes[which][..rng.Next(baseBytes[which].Length)],
                _ => MutateStructure(bases[which].Clone(), kind, rng).ToByteArray(),
            };
            sw.Restart();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var model = OnnxModel.Load(bytes, Limits);
                loaded++;
                var feeds = Feeds(model);
                if (feeds is not null)
                {
                    new OnnxSession(model).Run(feeds);
                    ran++;
                }
            }
            catch (OnnxException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i} (mutation {kind} of base {which}): untyped {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(allocated, Is.LessThan(AllocationBound), $"case {i} (mutation {kind}) allocated {allocated} bytes");
            Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(10), $"case {i} (mutation {kind}) took {sw.Elapsed}");
        }
        return (loaded, ran, rejected);
    }

    private static byte[] FlipBytes(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone();
        int flips = 1 + rng.Next(8);
        for (int k = 0; k < flips; k++) b[rng.Next(b.Length)] = rng.Next(3) == 0 ? (byte)0xFF : (byte)rng.Next(256);
        return b;
    }

    private static ModelProto MutateStructure(ModelProto m, int kind, Random rng)
    {
        var g = m.Graph;
        switch (kind)
        {
            case 3: // huge, negative or overflowing dims
            {
                var t = g.Initializer[rng.Next(g.Initializer.Count)];
                int d = rng.Next(Math.Max(1, t.Dims.Count));
                long[] choices = [-1, -(1L << 40), 1L << 31, 1L << 62, long.MaxValue, 0, 1L << 17];
                if (t.Dims.Count == 0) t.Dims.Add(choices[rng.Next(choices.Length)]);
                else t.Dims[d] = choices[rng.Next(choices.Length)];
                if (rng.Next(2) == 0) t.Dims.Add(1L << 30);
                break;
            }
            case 4: // lying raw_data / typed data lengths
            {
                var t = g.Initializer[rng.Next(g.Initializer.Count)];
                if (t.HasRawData) t.RawData = ByteString.CopyFrom(new byte[Math.Max(0, t.RawData.Length + rng.Next(-9, 9))]);
                else t.FloatData.Add(1f);
                if (rng.Next(3) == 0) t.DataType = rng.Next(-2, 30);
                break;
            }
            case 5: // cycles: feed a node from a later node's output (or itself)
            {
                int a = rng.Next(g.Node.Count), b = rng.Next(a, g.Node.Count);
                var node = g.Node[a];
                if (node.Input.Count > 0 && g.Node[b].Output.Count > 0) node.Input[rng.Next(node.Input.Count)] = g.Node[b].Output[0];
                break;
            }
            case 6: // missing inputs, duplicate outputs, dangling graph outputs
            {
                var node = g.Node[rng.Next(g.Node.Count)];
                switch (rng.Next(3))
                {
                    case 0: if (node.Input.Count > 0) node.Input[rng.Next(node.Input.Count)] = "nowhere"; break;
                    case 1: node.Output[0] = g.Node[rng.Next(g.Node.Count)].Output[0]; break;
                    default: g.Output[0].Name = "missing"; break;
                }
                break;
            }
            case 7: // attributes of the wrong type or value
            {
                var node = g.Node[rng.Next(g.Node.Count)];
                var types = Enum.GetValues<AttributeProto.Types.AttributeType>();
                string[] names = ["axis", "perm", "alpha", "to", "value", "axes", "transB", "keepdims", "group", "pads", "kernel_shape", "auto_pad", "strides"];
                var a = new AttributeProto { Name = names[rng.Next(names.Length)], Type = types[rng.Next(types.Length)] };
                if (rng.Next(2) == 0) a.I = rng.Next(3) == 0 ? long.MinValue : rng.Next(-5, 5);
                else a.Ints.Add(Enumerable.Range(0, rng.Next(6)).Select(_ => (long)rng.Next(-3, 1 << 20)));
                if (rng.Next(4) == 0) a.T = new TensorProto { DataType = 1, Dims = { 1L << 35 } };
                node.Attribute.Add(a);
                break;
            }
            default: // swap operators, drop inputs, random opsets
            {
                var node = g.Node[rng.Next(g.Node.Count)];
                string[] ops = ["Reshape", "Expand", "ConstantOfShape", "Range", "Tile", "Conv", "Gather", "Concat", "Slice", "Pad", "Split", "MatMul", "Softmax", "Where", "LSTM"];
                switch (rng.Next(3))
                {
                    case 0: node.OpType = ops[rng.Next(ops.Length)]; break;
                    case 1: if (node.Input.Count > 0) node.Input.RemoveAt(rng.Next(node.Input.Count)); break;
                    default: m.OpsetImport[0].Version = rng.Next(-1, 25); break;
                }
                break;
            }
        }
        return m;
    }

    /// <summary>Inputs for a loaded model (declared shape, symbolic dims = 2), or null when they would be too big.</summary>
    private static Dictionary<string, OnnxValue>? Feeds(OnnxModel model)
    {
        var feeds = new Dictionary<string, OnnxValue>();
        foreach (var i in model.Inputs)
        {
            var shape = (i.Shape ?? [2, 3]).Select(d => d ?? 2).ToArray();
            if (shape.Any(d => d < 0 || d > 1024) || shape.Aggregate(1L, (a, b) => a * b) > 4096) return null;
            var dims = shape.Select(d => (int)d).ToArray();
            var type = i.ElementType ?? OnnxElementType.Float;
            var storage = OnnxValue.StorageOf(type);
            var t = Tensor.Ones(dims, storage);
            feeds[i.Name] = new OnnxValue(t, type);
        }
        return feeds;
    }

    internal static TensorProto Floats(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.Add(dims);
        var raw = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        t.RawData = ByteString.CopyFrom(raw);
        return t;
    }

    private static TensorProto Longs(string name, long[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = 7 };
        t.Dims.Add(dims);
        t.Int64Data.Add(data);
        return t;
    }

    internal static ValueInfoProto Input(string name, int elemType, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } } };
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attrs)
    {
        var n = new NodeProto { OpType = op, Name = outputs[0] + "_node" };
        n.Input.Add(inputs);
        n.Output.Add(outputs);
        n.Attribute.Add(attrs);
        return n;
    }

    private static AttributeProto IntAttr(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

    private static AttributeProto IntsAttr(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(v);
        return a;
    }

    private static ModelProto Wrap(GraphProto g, int opset = 13)
    {
        var m = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "fuzz" };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return m;
    }

    public static ModelProto[] BaseModels()
    {
        // 1: MLP-ish: MatMul + Add + Relu + Softmax
        var g1 = new GraphProto { Name = "mlp" };
        g1.Input.Add(Input("x", 1, -1, 4));
        g1.Initializer.Add(Floats("w", Enumerable.Range(0, 12).Select(i => i * 0.1f - 0.5f).ToArray(), 4, 3));
        g1.Initializer.Add(Floats("b", [0.1f, -0.2f, 0.3f], 3));
        g1.Node.Add(Node("MatMul", ["x", "w"], ["h"]));
        g1.Node.Add(Node("Add", ["h", "b"], ["hb"]));
        g1.Node.Add(Node("Relu", ["hb"], ["r"]));
        g1.Node.Add(Node("Softmax", ["r"], ["y"], IntAttr("axis", -1)));
        g1.Output.Add(Input("y", 1, -1, 3));

        // 2: shape plumbing: Shape → Gather → Concat → Reshape → Transpose → Unsqueeze
        var g2 = new GraphProto { Name = "shapes" };
        g2.Input.Add(Input("x", 1, 2, 3, 4));
        g2.Initializer.Add(Longs("idx", [0], 1));
        g2.Initializer.Add(Longs("tail", [-1], 1));
        g2.Initializer.Add(Longs("axes", [0], 1));
        g2.Node.Add(Node("Shape", ["x"], ["s"]));
        g2.Node.Add(Node("Gather", ["s", "idx"], ["n"], IntAttr("axis", 0)));
        g2.Node.Add(Node("Concat", ["n", "tail"], ["shape"], IntAttr("axis", 0)));
        g2.Node.Add(Node("Reshape", ["x", "shape"], ["flat"]));
        g2.Node.Add(Node("Transpose", ["flat"], ["t"], IntsAttr("perm", 1, 0)));
        g2.Node.Add(Node("Unsqueeze", ["t", "axes"], ["y"]));
        g2.Output.Add(Input("y", 1, 1, 12, 2));

        // 3: conv block: Conv + BatchNormalization + Clip + GlobalAveragePool + Flatten + Gemm
        var g3 = new GraphProto { Name = "conv" };
        g3.Input.Add(Input("x", 1, -1, 2, 5, 5));
        g3.Initializer.Add(Floats("cw", Enumerable.Range(0, 36).Select(i => (i % 7) * 0.1f - 0.3f).ToArray(), 2, 2, 3, 3));
        g3.Initializer.Add(Floats("scale", [1f, 0.5f], 2));
        g3.Initializer.Add(Floats("bias", [0f, 0.1f], 2));
        g3.Initializer.Add(Floats("mean", [0.1f, -0.1f], 2));
        g3.Initializer.Add(Floats("var", [1f, 2f], 2));
        g3.Initializer.Add(Floats("lo", [0f]));
        g3.Initializer.Add(Floats("hi", [6f]));
        g3.Initializer.Add(Floats("fw", [0.5f, -0.5f, 1f, 2f], 2, 2));
        g3.Node.Add(Node("Conv", ["x", "cw"], ["c"], IntsAttr("pads", 1, 1, 1, 1), IntsAttr("kernel_shape", 3, 3)));
        g3.Node.Add(Node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["bn"]));
        g3.Node.Add(Node("Clip", ["bn", "lo", "hi"], ["cl"]));
        g3.Node.Add(Node("MaxPool", ["cl"], ["mp"], IntsAttr("kernel_shape", 2, 2)));
        g3.Node.Add(Node("GlobalAveragePool", ["mp"], ["gp"]));
        g3.Node.Add(Node("Flatten", ["gp"], ["f"]));
        g3.Node.Add(Node("Gemm", ["f", "fw"], ["y"], IntAttr("transB", 1)));
        g3.Output.Add(Input("y", 1, -1, 2));

        // 4: data-dependent shapes: ConstantOfShape, Expand, Range, Slice, Where
        var g4 = new GraphProto { Name = "dynamic" };
        g4.Input.Add(Input("x", 1, 3, 4));
        g4.Initializer.Add(Longs("shape", [2, 3, 4], 3));
        g4.Initializer.Add(Longs("start", [0], 1));
        g4.Initializer.Add(Longs("end", [2], 1));
        g4.Initializer.Add(Longs("r0", [0]));
        g4.Initializer.Add(Longs("r1", [4]));
        g4.Initializer.Add(Longs("r2", [1]));
        g4.Node.Add(Node("ConstantOfShape", ["shape"], ["z"]));
        g4.Node.Add(Node("Expand", ["x", "shape"], ["e"]));
        g4.Node.Add(Node("Add", ["z", "e"], ["s"]));
        g4.Node.Add(Node("Slice", ["s", "start", "end"], ["sl"]));
        g4.Node.Add(Node("Range", ["r0", "r1", "r2"], ["rg"]));
        g4.Node.Add(Node("Cast", ["rg"], ["rf"], IntAttr("to", 1)));
        g4.Node.Add(Node("Greater", ["sl", "rf"], ["gt"]));
        g4.Node.Add(Node("Where", ["gt", "sl", "rf"], ["y"]));
        g4.Output.Add(Input("y", 1, 2, 3, 4));

        return [Wrap(g1), Wrap(g2), Wrap(g3), Wrap(g4)];
    }
}
