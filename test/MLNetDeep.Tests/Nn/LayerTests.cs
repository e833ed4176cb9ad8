using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;
using NUnit.Framework;

namespace MLNetDeep.Tests.Nn;

public class LayerTests
{
    [Test]
    public void LinearForwardEqualsHandComputation()
    {
        var lin = new Linear(3, 2, generator: new Generator(1));
        new[] { 1f, 2f, 3f, -1f, 0.5f, 0f }.CopyTo(lin.Weight.Data<float>());
        new[] { 0.25f, -2f }.CopyTo(lin.Bias!.Data<float>());
        var x = Tensor.FromArray([1f, 0f, -1f, 2f, 4f, 6f], 2, 3);
        // row 0: [1·1+0·2−1·3+0.25, −1+0+0−2] ; row 1: [2+8+18+0.25, −2+2+0−2]
        Assert.That(lin.Forward(x).ToArray<float>(), Is.EqualTo(new[] { -1.75f, -3f, 28.25f, -2f }));
        Assert.That(lin.Forward(x).Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        var noBias = new Linear(3, 2, bias: false, generator: new Generator(1));
        Assert.That(noBias.Bias, Is.Null);
        Assert.That(noBias.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "weight" }));
    }

    [Test]
    public void LinearBackwardReachesWeightAndBias()
    {
        var lin = new Linear(3, 2, generator: new Generator(1));
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        lin.Forward(x).Sum().Backward();
        Assert.That(lin.Weight.Grad!.ToArray<float>(), Is.EqualTo(new[] { 5f, 7f, 9f, 5f, 7f, 9f }));
        Assert.That(lin.Bias!.Grad!.ToArray<float>(), Is.EqualTo(new[] { 2f, 2f }));
    }

    [Test]
    public void LinearDefaultInitIsWithinOneOverSqrtFanIn()
    {
        var lin = new Linear(256, 512, generator: new Generator(9));
        double bound = 1 / Math.Sqrt(256);
        var w = lin.Weight.ToDoubleArray();
        var b = lin.Bias!.ToDoubleArray();
        Assert.That(w.All(v => Math.Abs(v) <= bound) && b.All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(w.Max(), Is.GreaterThan(0.98 * bound));
        Assert.That(w.Min(), Is.LessThan(-0.98 * bound));
        // U(−b, b) has variance b²/3.
        double var = w.Select(v => v * v).Average();
        Assert.That(var, Is.EqualTo(bound * bound / 3).Within(0.03 * bound * bound / 3));
    }

    [Test]
    public void LayerInitIsReproducibleWithASeededGenerator()
    {
        var a = new Linear(5, 7, generator: new Generator(42));
        var b = new Linear(5, 7, generator: new Generator(42));
        var c = new Linear(5, 7, generator: new Generator(43));
        Assert.That(a.Weight.ToArray<float>(), Is.EqualTo(b.Weight.ToArray<float>()));
        Assert.That(a.Bias!.ToArray<float>(), Is.EqualTo(b.Bias!.ToArray<float>()));
        Assert.That(a.Weight.ToArray<float>(), Is.Not.EqualTo(c.Weight.ToArray<float>()));
        var e1 = new Embedding(10, 4, generator: new Generator(5));
        var e2 = new Embedding(10, 4, generator: new Generator(5));
        Assert.That(e1.Weight.ToArray<float>(), Is.EqualTo(e2.Weight.ToArray<float>()));
    }

    [Test]
    public void EmbeddingLooksUpRowsAndPaddingRowGetsNoGradient()
    {
        var emb = new Embedding(5, 3, paddingIdx: 1, generator: new Generator(3));
        Assert.That(emb.Weight.ToArray<float>().Skip(3).Take(3), Is.EqualTo(new[] { 0f, 0f, 0f }));
        var ids = Tensor.FromArray([0L, 1, 4, 1, 4, 2], 2, 3);
        var y = emb.Forward(ids);
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 2, 3, 3 }));
        var w = emb.Weight.ToArray<float>();
        Assert.That(y.ToArray<float>().Skip(6).Take(3), Is.EqualTo(w.Skip(12).Take(3)));

        y.Sum().Backward();
        var g = emb.Weight.Grad!.ToArray<float>();
        Assert.That(g, Is.EqualTo(new[] { 1f, 1f, 1f, 0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0f, 2f, 2f, 2f }));
    }

    [Test]
    public void EmbeddingNegativePaddingIndexCountsFromTheEnd()
    {
        var emb = new Embedding(4, 2, paddingIdx: -1, generator: new Generator(3));
        Assert.That(emb.PaddingIdx, Is.EqualTo(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(4, 2, paddingIdx: 4));
        var stats = new Embedding(200, 100, generator: new Generator(8)).Weight.ToDoubleArray();
        Assert.That(stats.Average(), Is.EqualTo(0).Within(0.02));
        Assert.That(Math.Sqrt(stats.Select(v => v * v).Average()), Is.EqualTo(1).Within(0.02));
    }

    [Test]
    public void DropoutIsIdentityInEval()
    {
        var drop = new Dropout(0.5, new Generator(1));
        drop.Eval();
        var x = Tensor.Randn([100], new Generator(2));
        Assert.That(drop.Forward(x), Is.SameAs(x));
    }

    [TestCase(0.2)]
    [TestCase(0.5)]
    [TestCase(0.8)]
    public void DropoutInTrainingZeroesAboutPAndScalesTheRest(double p)
    {
        var drop = new Dropout(p, new Generator(11));
        var y = drop.Forward(Tensor.Ones(20000)).ToArray<float>();
        double zeroFraction = y.Count(v => v == 0) / (double)y.Length;
        Assert.That(zeroFraction, Is.EqualTo(p).Within(0.015));
        float keep = (float)(1 / (1 - p));
        Assert.That(y.Where(v => v != 0), Is.All.EqualTo(keep).Within(1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
    }

    [Test]
    public void ActivationsMatchTheirFunctionalForms()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 0.5f, 3f], 5);
        Assert.That(new ReLU().Forward(x).ToArray<float>(), Is.EqualTo(new[] { 0f, 0f, 0f, 0.5f, 3f }));
        Assert.That(new LeakyReLU(0.1).Forward(x).ToArray<float>(), Is.EqualTo(new[] { -0.2f, -0.05f, 0f, 0.5f, 3f }).Within(1e-6));
        Assert.That(new Tanh().Forward(x).ToArray<float>(), Is.EqualTo(x.ToArray<float>().Select(MathF.Tanh)).Within(1e-6));
        Assert.That(new Sigmoid().Forward(x).ToArray<float>(), Is.EqualTo(x.ToArray<float>().Select(v => 1 / (1 + MathF.Exp(-v)))).Within(1e-6));
        Assert.That(new GELU().Forward(x).ToArray<float>()[4], Is.EqualTo(2.99595959).Within(1e-5));
        Assert.That(new GELU(tanhApproximation: true).Forward(x).ToArray<float>()[4], Is.EqualTo(2.99636).Within(1e-4));
        var m = Tensor.FromArray([1f, 2f, 3f, 1f, 1f, 1f], 2, 3);
        Assert.That(new Softmax(-1).Forward(m).Sum(1).ToArray<float>(), Is.EqualTo(new[] { 1f, 1f }).Within(1e-6));
        Assert.That(new LogSoftmax(1).Forward(m).ToArray<float>()[3], Is.EqualTo((float)-Math.Log(3)).Within(1e-6));
    }

    [Test]
    public void FlattenKeepsTheBatchDimensionByDefault()
    {
        var x = Tensor.Zeros(2, 3, 4, 5);
        Assert.That(new Flatten().Forward(x).Shape.ToArray(), Is.EqualTo(new[] { 2, 60 }));
        Assert.That(new Flatten(0, 1).Forward(x).Shape.ToArray(), Is.EqualTo(new[] { 6, 4, 5 }));
    }

    [Test]
    public void SequentialChainsLayersAndAppendNamesByPosition()
    {
        var g = new Generator(4);
        var seq = new Sequential(new Flatten(), new Linear(6, 4, generator: g)).Append(new ReLU()).Append(new Linear(4, 1, generator: g));
        Assert.That(seq.Count, Is.EqualTo(4));
        Assert.That(seq.NamedChildren().Select(c => c.Key), Is.EqualTo(new[] { "0", "1", "2", "3" }));
        var x = Tensor.Randn([5, 2, 3], g);
        var manual = ((Linear)seq[3]).Forward(((Linear)seq[1]).Forward(x.Flatten(1)).Relu());
        Assert.That(seq.Forward(x).ToArray<float>(), Is.EqualTo(manual.ToArray<float>()));
        Assert.That(new Sequential().Forward(x), Is.SameAs(x));
    }
}
