using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Nn;

public class ModuleTests
{
    /// <summary>A two-layer block with its own parameter and buffer, registered in a known order.</summary>
    private sealed class Block : Module<Tensor, Tensor>
    {
        public readonly Linear Fc1, Fc2;
        public readonly Tensor Scale, Count;

        public Block(Generator g)
        {
            Scale = RegisterParameter("scale", Tensor.Ones(3));
            Fc1 = RegisterModule("fc1", new Linear(3, 4, generator: g));
            Count = RegisterBuffer("count", Tensor.Zeros([1], DType.Int64));
            Fc2 = RegisterModule("fc2", new Linear(4, 3, bias: false, generator: g));
        }

        public override Tensor Forward(Tensor input) => Fc2.Forward(Fc1.Forward(input.Mul(Scale)).Relu());

        public Tensor AddParam(string name, Tensor t) => RegisterParameter(name, t);
        public Module AddModule(string name, Module m) => RegisterModule(name, m);
        public Tensor AddBuffer(string name, Tensor t, bool persistent) => RegisterBuffer(name, t, persistent);
    }

    private static Sequential Nested(ulong seed = 1)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(3, 3, generator: g), new Sequential(new Block(g), new Tanh()), new Dropout(0.3));
    }

    [Test]
    public void NamedParametersOfNestedSequentialFollowRegistrationOrder()
    {
        var model = Nested();
        Assert.That(model.NamedParameters().Select(p => p.Key), Is.EqualTo(new[]
        {
            "0.weight", "0.bias", "1.0.scale", "1.0.fc1.weight", "1.0.fc1.bias", "1.0.fc2.weight",
        }));
        Assert.That(model.NamedBuffers().Select(p => p.Key), Is.EqualTo(new[] { "1.0.count" }));
        Assert.That(model.Parameters().All(p => p.RequiresGrad), Is.True);
        Assert.That(model.ParameterCount, Is.EqualTo(9 + 3 + 3 + 12 + 4 + 12));
        Assert.That(model.Children().Count(), Is.EqualTo(3));
        Assert.That(model.NamedModules().Select(m => m.Key), Is.EqualTo(new[] { "", "0", "1", "1.0", "1.0.fc1", "1.0.fc2", "1.1", "2" }));
    }

    [Test]
    public void StateDictListsParametersThenBuffersThenChildren()
    {
        var block = new Block(new Generator(3));
        Assert.That(block.StateDict().Keys, Is.EqualTo(new[] { "scale", "count", "fc1.weight", "fc1.bias", "fc2.weight" }));
        block.AddBuffer("cache", Tensor.Zeros(2), persistent: false);
        Assert.That(block.StateDict().ContainsKey("cache"), Is.False);
        Assert.That(block.NamedBuffers().Select(b => b.Key), Does.Contain("cache"));
    }

    [Test]
    public void SharedParameterIsReportedOnce()
    {
        var block = new Block(new Generator(2));
        block.AddParam("tied", block.Fc1.Weight);
        Assert.That(block.Parameters().Count(), Is.EqualTo(4));
        Assert.That(block.ParameterCount, Is.EqualTo(3 + 12 + 4 + 12));
        Assert.That(block.NamedParameters().Single(p => ReferenceEquals(p.Value, block.Fc1.Weight)).Key, Is.EqualTo("tied"));
        Assert.That(block.StateDict().Keys, Does.Contain("tied").And.Contain("fc1.weight"));
    }

    [TestCase("")]
    [TestCase("a.b")]
    [TestCase("scale")]
    [TestCase("fc1")]
    [TestCase("count")]
    public void InvalidOrDuplicateNamesAreRejected(string name)
    {
        var block = new Block(new Generator(4));
        Assert.Throws<ArgumentException>(() => block.AddParam(name, Tensor.Zeros(1)));
        Assert.Throws<ArgumentException>(() => block.AddModule(name, new ReLU()));
    }

    [Test]
    public void NonLeafIntegerAndCyclicRegistrationsAreRejected()
    {
        var block = new Block(new Generator(4));
        Assert.Throws<ArgumentException>(() => block.AddParam("p", Tensor.Zeros([2], DType.Int64)));
        Assert.Throws<ArgumentException>(() => block.AddParam("q", Tensor.Ones(2).RequiresGrad_().Mul(2)));
        var outer = new Block(new Generator(5));
        outer.AddModule("inner", block);
        Assert.Throws<ArgumentException>(() => block.AddModule("outer", outer));
        Assert.Throws<ArgumentException>(() => block.AddModule("self", block));
    }

    [Test]
    public void TrainAndEvalPropagateToAllDescendants()
    {
        var model = Nested();
        Assert.That(model.NamedModules().All(m => m.Value.IsTraining), Is.True);
        model.Eval();
        Assert.That(model.NamedModules().Any(m => m.Value.IsTraining), Is.False);
        model.Train();
        Assert.That(model.NamedModules().All(m => m.Value.IsTraining), Is.True);
        model.Train(false);
        var added = new ReLU();
        model.Append(added);
        Assert.That(added.IsTraining, Is.False, "a child registered later takes the parent's mode");
    }

    [Test]
    public void ZeroGradClearsEveryGradient()
    {
        var model = Nested();
        model.Forward(Tensor.Ones(2, 3)).Sum().Backward();
        Assert.That(model.Parameters().All(p => p.Grad is not null), Is.True);
        var buffers = model.Parameters().Select(p => p.Grad!).ToList();
        model.ZeroGrad();
        Assert.That(model.Parameters().All(p => p.Grad is not null && p.Grad.ToDoubleArray().All(v => v == 0)), Is.True, "zeroed in place");
        Assert.That(model.Parameters().Select(p => p.Grad).Zip(buffers).All(t => ReferenceEquals(t.First, t.Second)), Is.True, "same buffers kept");
        // The next backward accumulates into the kept buffers.
        model.Forward(Tensor.Ones(2, 3)).Sum().Backward();
        Assert.That(buffers.Any(b => b.ToDoubleArray().Any(v => v != 0)), Is.True);
        model.ZeroGrad(setToNone: true);
        Assert.That(model.Parameters().All(p => p.Grad is null), Is.True);
    }

    [Test]
    public void StateDictRoundTripIsExactAndInPlace()
    {
        var source = Nested(seed: 10);
        source.StateDict()["1.0.count"].Data<long>()[0] = 42;
        var target = Nested(seed: 20);
        var weightBefore = target.NamedParameters().First().Value;
        Assert.That(target.StateDict()["0.weight"].ToArray<float>(), Is.Not.EqualTo(source.StateDict()["0.weight"].ToArray<float>()));

        var result = target.LoadStateDict(source.StateDict());

        Assert.That(result.MissingKeys, Is.Empty);
        Assert.That(result.UnexpectedKeys, Is.Empty);
        Assert.That(target.NamedParameters().First().Value, Is.SameAs(weightBefore));
        Assert.That(weightBefore.RequiresGrad, Is.True);
        foreach (var (key, value) in source.StateDict())
            Assert.That(BitsOf(target.StateDict()[key]), Is.EqualTo(BitsOf(value)), key);
        var x = Tensor.Randn([4, 3], new Generator(7));
        source.Eval();
        target.Eval();
        Assert.That(target.Forward(x).ToArray<float>(), Is.EqualTo(source.Forward(x).ToArray<float>()));
    }

    [Test]
    public void StateDictValuesAreDetachedViews()
    {
        var lin = new Linear(2, 2, generator: new Generator(1));
        var sd = lin.StateDict();
        Assert.That(sd["weight"].RequiresGrad, Is.False);
        lin.Weight.Data<float>()[0] = 123f;
        Assert.That(sd["weight"].ToArray<float>()[0], Is.EqualTo(123f));
    }

    [Test]
    public void LoadStateDictErrorsNameTheKeyAndLeaveTheModuleUnchanged()
    {
        var model = Nested(seed: 1);
        var before = model.StateDict().ToDictionary(kv => kv.Key, kv => BitsOf(kv.Value));
        var good = Nested(seed: 2).StateDict();

        var missing = new Dictionary<string, Tensor>(good);
        missing.Remove("1.0.fc1.bias");
        var ex = Assert.Throws<StateDictException>(() => model.LoadStateDict(missing))!;
        Assert.That(ex.Key, Is.EqualTo("1.0.fc1.bias"));
        Assert.That(ex.Message, Does.Contain("missing").And.Contain("'1.0.fc1.bias'"));

        var extra = new Dictionary<string, Tensor>(good) { ["1.0.fc3.weight"] = Tensor.Zeros(1) };
        ex = Assert.Throws<StateDictException>(() => model.LoadStateDict(extra))!;
        Assert.That(ex.Key, Is.EqualTo("1.0.fc3.weight"));
        Assert.That(ex.UnexpectedKeys, Is.EqualTo(new[] { "1.0.fc3.weight" }));

        var badShape = new Dictionary<string, Tensor>(good) { ["1.0.fc2.weight"] = Tensor.Zeros(4, 4) };
        ex = Assert.Throws<StateDictException>(() => model.LoadStateDict(badShape))!;
        Assert.That(ex.Key, Is.EqualTo("1.0.fc2.weight"));
        Assert.That(ex.Message, Does.Contain("[4, 4]").And.Contain("[3, 4]"));

        var badType = new Dictionary<string, Tensor>(good) { ["1.0.count"] = Tensor.Zeros([1], DType.Float32) };
        ex = Assert.Throws<StateDictException>(() => model.LoadStateDict(badType))!;
        Assert.That(ex.Key, Is.EqualTo("1.0.count"));
        Assert.That(ex.Message, Does.Contain("Float32").And.Contain("Int64"));

        var after = model.StateDict().ToDictionary(kv => kv.Key, kv => BitsOf(kv.Value));
        Assert.That(after, Is.EqualTo(before), "a failed load must not copy anything");
    }

    [Test]
    public void NonStrictLoadReportsMissingAndUnexpectedKeys()
    {
        var model = Nested(seed: 1);
        var sd = new Dictionary<string, Tensor>(Nested(seed: 2).StateDict());
        sd.Remove("0.bias");
        sd["bogus"] = Tensor.Zeros(1);
        var oldBias = model.StateDict()["0.bias"].ToArray<float>();
        var result = model.LoadStateDict(sd, strict: false);
        Assert.That(result.MissingKeys, Is.EqualTo(new[] { "0.bias" }));
        Assert.That(result.UnexpectedKeys, Is.EqualTo(new[] { "bogus" }));
        Assert.That(model.StateDict()["0.bias"].ToArray<float>(), Is.EqualTo(oldBias));
        Assert.That(model.StateDict()["0.weight"].ToArray<float>(), Is.EqualTo(sd["0.weight"].ToArray<float>()));
    }

    [Test]
    public void ToStringShowsTheTree()
    {
        var text = new Sequential(new Linear(2, 3, generator: new Generator(1)), new ReLU()).ToString();
        Assert.That(text, Does.Contain("Sequential").And.Contain("(0): Linear(in=2, out=3, bias=True)").And.Contain("(1): ReLU"));
    }

    internal static long[] BitsOf(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray(),
        DType.Float64 => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        _ => t.ToArray<long>(),
    };
}
