using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Export;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary>
/// ExportOnnx of fitted image classifiers of every architecture: the file passes the full checker, and ONNX Runtime
/// and our runtime (ApplyOnnxModel) give the transformer's Score and PredictedLabel at batch sizes other than the export's.
/// </summary>
public class ImageClassifierOnnxTests : OnnxExportTestBase
{
    [Test]
    public void OnnxMatchesTheTransformer([Values] ImageArchitecture architecture)
    {
        var ctx = new DeepContext(3);
        var train = ImageClassifierTests.Bars(ctx, 32, seed: 1);
        var model = ctx.Vision.Trainers.ImageClassifier(ImageClassifierTests.Tiny(architecture)).Fit(train);
        string path = NewPath($"image-{architecture}");
        ctx.Model.ExportOnnx(model, train, path);
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        var test = ImageClassifierTests.Bars(ctx, 11, seed: 7);
        AssertRuntimesGiveTheTransformerOutputs(Runtime, ctx, model, test, path, batch: 4, runtimeTolerance: 2e-5f, oursTolerance: 2e-5f);
    }

    /// <summary>
    /// Asserts that ONNX Runtime (fed <paramref name="batch"/> rows at a time) and our runtime (ApplyOnnxModel) give
    /// <paramref name="model"/>'s Score and PredictedLabel for the images of <paramref name="test"/>
    /// (<see cref="ImageClassifierTests.Bars"/>: 3 classes, 1×12×12) from the exported file <paramref name="path"/>.
    /// </summary>
    internal static void AssertRuntimesGiveTheTransformerOutputs(OnnxRuntimeOracle runtime, DeepContext ctx, ITransformer model, IDataView test,
        string path, int batch, float runtimeTolerance, float oursTolerance)
    {
        var images = test.GetColumn<float[]>("Image");
        var scored = model.Transform(test);
        var expected = scored.GetColumn<float[]>("Score");
        var expectedLabels = scored.GetColumn<uint>("PredictedLabel");
        for (int start = 0; start < images.Count; start += batch)
        {
            var part = images.Skip(start).Take(batch).ToList();
            var outputs = runtime.Run(path, new Dictionary<string, Tensor> { ["Image"] = Tensor.FromArray(part.SelectMany(x => x).ToArray(), part.Count, 144) });
            var score = outputs["Score"].ToArray<float>();
            var label = outputs["PredictedLabel"].ToArray<long>();
            for (int r = 0; r < part.Count; r++)
            {
                Assert.That(score.AsSpan(r * 3, 3).ToArray(), Is.EqualTo(expected[start + r]).Within(runtimeTolerance), $"ONNX Runtime, row {start + r}");
                Assert.That(label[r], Is.EqualTo((long)expectedLabels[start + r]), $"ONNX Runtime, row {start + r} label");
            }
        }
        var ours = ctx.Transforms.ApplyOnnxModel(path, 5).Fit(test).Transform(test);
        var oursScore = ours.GetColumn<float[]>("Score");
        for (int r = 0; r < images.Count; r++) Assert.That(oursScore[r], Is.EqualTo(expected[r]).Within(oursTolerance), $"our runtime, row {r}");
    }
}
