using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Onnx.Export;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary>
/// ExportOnnx of fitted image classifiers of every architecture: the file passes the full checker, and ONNX Runtime
/// and our runtime (ApplyOnnxModel) give the transformer's Score and PredictedLabel at batch sizes other than the export's.
/// </summary>
public class ImageClassifierOnnxTests : OnnxExportTestBase
{
    [TestCase(ImageArchitecture.Mlp)]
    [TestCase(ImageArchitecture.SmallCnn)]
    [TestCase(ImageArchitecture.MobileNetV1)]
    [TestCase(ImageArchitecture.MobileNetV2)]
    [TestCase(ImageArchitecture.ResNet)]
    [TestCase(ImageArchitecture.DenseNet)]
    public void OnnxMatchesTheTransformer(ImageArchitecture architecture)
    {
        var ctx = new DeepContext(3);
        var train = ImageClassifierTests.Bars(ctx, 32, seed: 1);
        var model = ctx.Vision.Trainers.ImageClassifier(ImageClassifierTests.Tiny(architecture)).Fit(train);
        string path = NewPath($"image-{architecture}");
        ctx.Model.ExportOnnx(model, train, path);
        Assert.That(Checker.Check(path), Is.Null, "onnx.checker full_check");
        var test = ImageClassifierTests.Bars(ctx, 11, seed: 7);
        var images = test.GetColumn<float[]>("Image");
        var expected = model.Transform(test).GetColumn<float[]>("Score");
        var expectedLabels = model.Transform(test).GetColumn<uint>("PredictedLabel");
        const int batch = 4;
        for (int start = 0; start < images.Count; start += batch)
        {
            var part = images.Skip(start).Take(batch).ToList();
            var outputs = Runtime.Run(path, new Dictionary<string, Tensor> { ["Image"] = Tensor.FromArray(part.SelectMany(x => x).ToArray(), part.Count, 144) });
            var score = outputs["Score"].ToArray<float>();
            var label = outputs["PredictedLabel"].ToArray<long>();
            for (int r = 0; r < part.Count; r++)
            {
                Assert.That(score.AsSpan(r * 3, 3).ToArray(), Is.EqualTo(expected[start + r]).Within(2e-5f), $"ONNX Runtime, row {start + r}");
                Assert.That(label[r], Is.EqualTo((long)expectedLabels[start + r]), $"ONNX Runtime, row {start + r} label");
            }
        }
        var ours = ctx.Transforms.ApplyOnnxModel(path, 5).Fit(test).Transform(test);
        var oursScore = ours.GetColumn<float[]>("Score");
        for (int r = 0; r < images.Count; r++) Assert.That(oursScore[r], Is.EqualTo(expected[r]).Within(2e-5f), $"our runtime, row {r}");
    }
}
