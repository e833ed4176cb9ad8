using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision.Detection;
using MLNetDeep.Estimators.Vision.Segmentation;
using MLNetDeep.Tensors;
using MLNetDeep.Tests.Oracles;
using NUnit.Framework;

namespace MLNetDeep.Tests.Detection;

/// <summary>
/// Geometry against torchvision (box_iou, generalized_box_iou, batched_nms, BoxCoder) and metrics against the
/// independent numpy VOC/COCO AP and confusion-matrix mIoU of tools/oracles/detection_oracle.py, on random cases
/// batched into one request per kind (one oracle process for the fixture).
/// </summary>
[NonParallelizable]
public class DetectionOracleTests
{
    private DetectionOracle _oracle = null!;

    [OneTimeSetUp]
    public void StartOracle() => _oracle = DetectionOracle.Start();

    [OneTimeTearDown]
    public void StopOracle() => _oracle?.Dispose();

    [Test]
    public void IouAndGeneralizedIouMatchTorchvision()
    {
        var rng = new Random(11);
        var cases = Enumerable.Range(0, 12).Select(i => (BoxGeometryTests.RandomBoxes(rng, 1 + i % 5), BoxGeometryTests.RandomBoxes(rng, 3 + 3 * i))).ToList();
        foreach (bool generalized in new[] { false, true })
        {
            var expected = _oracle.IouMatrices(cases, generalized);
            for (int c = 0; c < cases.Count; c++)
            {
                var ours = generalized ? BoxGeometry.GeneralizedIouMatrix(cases[c].Item1, cases[c].Item2) : BoxGeometry.IouMatrix(cases[c].Item1, cases[c].Item2);
                Assert.That(ours, Is.EqualTo(expected[c]).Within(2e-6f), $"case {c}, generalized={generalized}");
            }
        }
    }

    [Test]
    public void ClassWiseNmsMatchesTorchvisionBatchedNms()
    {
        var rng = new Random(12);
        var cases = new List<(float[], float[], int[], float, float, int)>();
        for (int c = 0; c < 20; c++)
        {
            int n = 5 + rng.Next(120);
            var boxes = BoxGeometryTests.RandomBoxes(rng, n, extent: 60); // crowded: many overlaps
            var scores = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
            var classes = Enumerable.Range(0, n).Select(_ => rng.Next(1, 5)).ToArray();
            cases.Add((boxes, scores, classes, 0.3f + 0.4f * (float)rng.NextDouble(), c % 3 == 0 ? 0f : 0.3f, c % 4 == 0 ? 5 : 100));
        }
        var expected = _oracle.Nms(cases);
        for (int c = 0; c < cases.Count; c++)
        {
            var (boxes, scores, classes, iou, threshold, max) = cases[c];
            var ours = new NonMaxSuppression(iou, threshold, max).Apply(boxes, scores, classes);
            Assert.That(ours, Is.EqualTo(expected[c]), $"case {c}");
        }
    }

    [Test]
    public void SsdCodingMatchesTorchvisionBoxCoder()
    {
        var rng = new Random(13);
        var cases = new List<(float[], float[], float[], float, float)>();
        for (int c = 0; c < 6; c++)
        {
            int n = 10 + c;
            var boxes = BoxGeometryTests.RandomBoxes(rng, n);
            var priors = BoxGeometryTests.RandomBoxes(rng, n);
            for (int i = 0; i < n; i++) // to centre-size
            {
                float w = priors[4 * i + 2] - priors[4 * i], h = priors[4 * i + 3] - priors[4 * i + 1];
                (priors[4 * i], priors[4 * i + 1], priors[4 * i + 2], priors[4 * i + 3]) = (priors[4 * i] + w / 2, priors[4 * i + 1] + h / 2, w, h);
            }
            var offsets = Enumerable.Range(0, 4 * n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
            cases.Add((boxes, priors, offsets, c % 2 == 0 ? 0.1f : 0.15f, c % 2 == 0 ? 0.2f : 0.25f));
        }
        var expected = _oracle.BoxCoder(cases);
        for (int c = 0; c < cases.Count; c++)
        {
            var (boxes, priors, offsets, v0, v1) = cases[c];
            var coder = new SsdBoxCoder(v0, v1);
            var encoded = new float[boxes.Length];
            coder.Encode(boxes, priors, encoded);
            var decoded = new float[boxes.Length];
            coder.Decode(offsets, priors, decoded);
            AssertClose(encoded, expected[c].Encoded, $"encode, case {c}");
            AssertClose(decoded, expected[c].Decoded, $"decode, case {c}");
        }
    }

    [Test]
    public void GeneralizedIouLossAndGradientMatchTorchvision()
    {
        var rng = new Random(17);
        var cases = Enumerable.Range(0, 6).Select(c => (BoxGeometryTests.RandomBoxes(rng, 3 + c, extent: 40), BoxGeometryTests.RandomBoxes(rng, 3 + c, extent: 40))).ToList();
        var expected = _oracle.GeneralizedIouLoss(cases);
        for (int c = 0; c < cases.Count; c++)
        {
            var (p, t) = cases[c];
            int n = p.Length / 4;
            var predicted = Tensor.FromArray(p.Select(v => (double)v).ToArray(), n, 4).RequiresGrad_();
            var loss = DetectionLosses.GeneralizedIouLoss(predicted, Tensor.FromArray(t.Select(v => (double)v).ToArray(), n, 4), Reduction.Sum);
            loss.Backward();
            Assert.That(loss.ToArray<double>()[0], Is.EqualTo(expected[c].Loss).Within(1e-9), $"loss, case {c}");
            Assert.That(predicted.Grad!.ToArray<double>(), Is.EqualTo(expected[c].Gradient).Within(1e-9), $"gradient, case {c}");
            // The value agrees with the no-grad GIoU matrix's diagonal.
            var giou = BoxGeometry.GeneralizedIouMatrix(p, t);
            Assert.That(loss.ToArray<double>()[0], Is.EqualTo(Enumerable.Range(0, n).Sum(i => 1 - giou[i * n + i])).Within(1e-4));
        }
    }

    [Test]
    public void SsdMatchingMatchesTorchvisionSsdMatcher()
    {
        var rng = new Random(16);
        var priors = DefaultBoxes.Generate(96, [6, 3], [0.25f, 0.55f], [1f, 2f, 0.5f]);
        var cases = Enumerable.Range(0, 10).Select(c => (BoxGeometryTests.RandomBoxes(rng, 1 + c % 6, extent: 70), priors, c % 2 == 0 ? 0.5f : 0.4f)).ToList();
        var expected = _oracle.SsdMatch(cases);
        for (int c = 0; c < cases.Count; c++)
        {
            var (boxes, _, threshold) = cases[c];
            int g = boxes.Length / 4;
            var assigner = new SsdTargetAssigner(priors, new SsdBoxCoder(), threshold);
            var classes = new int[assigner.PriorCount];
            var offsets = new float[4 * assigner.PriorCount];
            var matched = new int[assigner.PriorCount];
            int positives = assigner.Assign(boxes, Enumerable.Range(1, g).ToArray(), classes, offsets, matched);
            Assert.That(matched, Is.EqualTo(expected[c]), $"case {c}");
            Assert.That(positives, Is.EqualTo(expected[c].Count(m => m >= 0)));
            Assert.That(positives, Is.GreaterThanOrEqualTo(g), "every box claims a prior");
        }
    }

    [Test]
    public void VocAndCocoApMatchTheNumpyReference()
    {
        var rng = new Random(14);
        var cases = new List<(IReadOnlyList<BoundingBox[]>, IReadOnlyList<BoundingBox[]>, int)>();
        for (int c = 0; c < 10; c++)
        {
            int images = 3 + rng.Next(15);
            var truth = new List<BoundingBox[]>();
            var predicted = new List<BoundingBox[]>();
            for (int i = 0; i < images; i++)
            {
                var gts = Enumerable.Range(0, rng.Next(0, 6)).Select(_ => RandomBox(rng, rng.Next(1, 5), 1f)).ToArray();
                truth.Add(gts);
                var dets = new List<BoundingBox>();
                foreach (var g in gts) // jittered copies of the truth (some with the wrong class), plus clutter
                {
                    int copies = rng.Next(0, 3);
                    for (int k = 0; k < copies; k++)
                        dets.Add(new BoundingBox(g.X + Jitter(rng), g.Y + Jitter(rng), Math.Max(1, g.Width + Jitter(rng)), Math.Max(1, g.Height + Jitter(rng)),
                            rng.NextDouble() < 0.85 ? g.Label : rng.Next(1, 5), (float)rng.NextDouble()));
                }
                for (int k = rng.Next(0, 4); k > 0; k--) dets.Add(RandomBox(rng, rng.Next(1, 5), (float)rng.NextDouble()));
                predicted.Add([.. dets]);
            }
            cases.Add((truth, predicted, c % 3 == 0 ? 2 : 100));
        }
        var expected = _oracle.DetectionMetrics(cases);
        for (int c = 0; c < cases.Count; c++)
        {
            var (truth, predicted, maxDets) = cases[c];
            var ours = DetectionEvaluator.Evaluate(truth, predicted, maxDetectionsPerImage: maxDets).PerClass;
            Assert.That(ours.Select(p => p.ClassId), Is.EqualTo(expected[c].Select(e => e.Class)), $"classes, case {c}");
            for (int k = 0; k < ours.Count; k++)
            {
                Assert.That(ours[k].VocAveragePrecision50, Is.EqualTo(expected[c][k].Voc).Within(1e-9), $"VOC AP, case {c}, class {ours[k].ClassId}");
                Assert.That(ours[k].CocoAveragePrecision, Is.EqualTo(expected[c][k].Coco).Within(1e-9), $"COCO AP, case {c}, class {ours[k].ClassId}");
                Assert.That(ours[k].CocoAveragePrecision50, Is.EqualTo(expected[c][k].Coco50).Within(1e-9), $"COCO AP50, case {c}");
                Assert.That(ours[k].CocoAveragePrecision75, Is.EqualTo(expected[c][k].Coco75).Within(1e-9), $"COCO AP75, case {c}");
            }
        }
        // The cases are not degenerate: some APs are strictly between 0 and 1.
        Assert.That(expected.SelectMany(e => e).Count(e => e.Voc is > 0.05 and < 0.95), Is.GreaterThan(5));
    }

    [Test]
    public void SegmentationMetricsMatchTheNumpyReference()
    {
        var rng = new Random(15);
        var cases = new List<(int[], int[], int)>();
        for (int c = 0; c < 8; c++)
        {
            int k = 2 + c % 5, n = 50 + rng.Next(500);
            var truth = Enumerable.Range(0, n).Select(_ => rng.Next(k)).ToArray();
            var predicted = truth.Select(t => rng.NextDouble() < 0.7 ? t : rng.Next(k)).ToArray();
            cases.Add((truth, predicted, k));
        }
        var expected = _oracle.Segmentation(cases);
        for (int c = 0; c < cases.Count; c++)
        {
            var e = new SegmentationEvaluator(cases[c].Item3);
            e.Add(cases[c].Item1, cases[c].Item2);
            var m = e.GetMetrics();
            Assert.That(m.MeanIou, Is.EqualTo(expected[c].MeanIou).Within(1e-12), $"mIoU, case {c}");
            Assert.That(m.PixelAccuracy, Is.EqualTo(expected[c].PixelAccuracy).Within(1e-12), $"pixel accuracy, case {c}");
        }
    }

    private static void AssertClose(float[] actual, float[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4f + 1e-5f * Math.Abs(expected[i])), $"{what}, value {i}");
    }

    private static float Jitter(Random rng) => (float)(rng.NextDouble() * 6 - 3);

    private static BoundingBox RandomBox(Random rng, int label, float score) =>
        new((float)rng.NextDouble() * 80, (float)rng.NextDouble() * 80, 4 + (float)rng.NextDouble() * 30, 4 + (float)rng.NextDouble() * 30, label, score);
}
