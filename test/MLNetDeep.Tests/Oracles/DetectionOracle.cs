using System.Text.Json.Nodes;
using MLNetDeep.Data;

namespace MLNetDeep.Tests.Oracles;

/// <summary>
/// Client of <c>tools/oracles/detection_oracle.py</c>: torchvision 0.14's box_iou / generalized_box_iou /
/// batched_nms / generalized_box_iou_loss / BoxCoder / SSDMatcher and an independent numpy VOC/COCO AP and confusion-matrix mIoU. Every call sends a batch
/// of cases in one request. Start once per fixture with <see cref="Start"/>.
/// </summary>
public sealed class DetectionOracle : JsonLineOracle
{
    public const string ScriptRelativePath = "tools/oracles/detection_oracle.py";
    private static string? s_unavailable;

    private DetectionOracle(string python, string script, string root) : base("detection oracle", python, ["-u", script], root)
    {
    }

    protected override IEnumerable<KeyValuePair<string, string>> Environment =>
        [new("PYTHONUNBUFFERED", "1"), new("PYTHONDONTWRITEBYTECODE", "1"), new("OMP_NUM_THREADS", "1")];

    /// <summary>Starts the oracle, or ignores (fails with MLNETDEEP_REQUIRE_ORACLES=1) the calling fixture when it cannot run.</summary>
    public static DetectionOracle Start() => StartCached(ref s_unavailable, Create, "detection oracle", "install torch, torchvision and numpy for /usr/bin/python3");

    private static DetectionOracle Create()
    {
        var (python, script, root) = LocatePythonScript(ScriptRelativePath);
        return new DetectionOracle(python, script, root);
    }

    /// <summary>torchvision.ops.box_iou (or generalized_box_iou) for each (a, b) pair of packed xyxy sets; row-major matrices.</summary>
    public float[][] IouMatrices(IReadOnlyList<(float[] A, float[] B)> cases, bool generalized) =>
        Results(generalized ? "generalized_box_iou" : "box_iou", cases.Select(c => new JsonObject { ["a"] = Rows(c.A, 4), ["b"] = Rows(c.B, 4) }))
            .Select(r => Floats(r!)).ToArray();

    /// <summary>Kept indices per case: scores &gt; threshold, torchvision batched_nms, first maxDetections.</summary>
    public int[][] Nms(IReadOnlyList<(float[] Boxes, float[] Scores, int[] Classes, float Iou, float ScoreThreshold, int MaxDetections)> cases) =>
        Results("nms", cases.Select(c => new JsonObject
        {
            ["boxes"] = Rows(c.Boxes, 4),
            ["scores"] = Array(c.Scores),
            ["classes"] = new JsonArray(c.Classes.Select(v => (JsonNode?)v).ToArray()),
            ["iou_threshold"] = c.Iou,
            ["score_threshold"] = c.ScoreThreshold,
            ["max_detections"] = c.MaxDetections,
        })).Select(r => r!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray();

    /// <summary>torchvision BoxCoder with weights 1/variances: encode boxes against priors, decode offsets against priors.</summary>
    public (float[] Encoded, float[] Decoded)[] BoxCoder(IReadOnlyList<(float[] Boxes, float[] Priors, float[] Offsets, float CenterVariance, float SizeVariance)> cases) =>
        Results("box_coder", cases.Select(c => new JsonObject
        {
            ["boxes"] = Rows(c.Boxes, 4),
            ["priors"] = Rows(c.Priors, 4),
            ["offsets"] = Rows(c.Offsets, 4),
            ["variances"] = new JsonArray(c.CenterVariance, c.SizeVariance),
        })).Select(r => (Floats(r!["encoded"]!), Floats(r!["decoded"]!))).ToArray();

    /// <summary>torchvision's generalized_box_iou_loss (sum, in float64) of each case and its gradient with respect to the predicted boxes.</summary>
    public (double Loss, double[] Gradient)[] GeneralizedIouLoss(IReadOnlyList<(float[] Predicted, float[] Target)> cases) =>
        Results("giou_loss", cases.Select(c => new JsonObject { ["predicted"] = Rows(c.Predicted, 4), ["target"] = Rows(c.Target, 4) }))
            .Select(r => (r!["loss"]!.GetValue<double>(), r["grad"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray())).ToArray();

    /// <summary>torchvision's SSDMatcher on box_iou(boxes, priors): the matched box per prior, −1 for background.</summary>
    public int[][] SsdMatch(IReadOnlyList<(float[] Boxes, float[] Priors, float Threshold)> cases) =>
        Results("ssd_match", cases.Select(c => new JsonObject { ["boxes"] = Rows(c.Boxes, 4), ["priors"] = Rows(c.Priors, 4), ["threshold"] = c.Threshold }))
            .Select(r => r!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray();

    /// <summary>Per-class (class, VOC AP50, COCO AP, COCO AP50, COCO AP75) of each case.</summary>
    public (int Class, double Voc, double Coco, double Coco50, double Coco75)[][] DetectionMetrics(
        IReadOnlyList<(IReadOnlyList<BoundingBox[]> Truth, IReadOnlyList<BoundingBox[]> Predicted, int MaxDetections)> cases)
    {
        static JsonArray Images(IReadOnlyList<BoundingBox[]> images, bool scores) => new(images.Select(boxes => (JsonNode?)new JsonArray(boxes.Select(b =>
            (JsonNode?)(scores ? new JsonArray(b.X, b.Y, b.Width, b.Height, b.Label, b.Score) : new JsonArray(b.X, b.Y, b.Width, b.Height, b.Label))).ToArray())).ToArray());
        return Results("detection_metrics", cases.Select(c => new JsonObject
        {
            ["gt"] = Images(c.Truth, false),
            ["pred"] = Images(c.Predicted, true),
            ["max_dets"] = c.MaxDetections,
        })).Select(r => r!.AsArray().Select(x => (x!["class"]!.GetValue<int>(), x["voc"]!.GetValue<double>(), x["coco"]!.GetValue<double>(),
            x["coco50"]!.GetValue<double>(), x["coco75"]!.GetValue<double>())).ToArray()).ToArray();
    }

    /// <summary>numpy confusion-matrix mean IoU (nanmean over classes) and pixel accuracy of each case.</summary>
    public (double MeanIou, double PixelAccuracy)[] Segmentation(IReadOnlyList<(int[] Truth, int[] Predicted, int Classes)> cases) =>
        Results("segmentation", cases.Select(c => new JsonObject
        {
            ["truth"] = new JsonArray(c.Truth.Select(v => (JsonNode?)v).ToArray()),
            ["pred"] = new JsonArray(c.Predicted.Select(v => (JsonNode?)v).ToArray()),
            ["classes"] = c.Classes,
        })).Select(r => (r!["miou"]!.GetValue<double>(), r["pixel_accuracy"]!.GetValue<double>())).ToArray();

    private JsonArray Results(string kind, IEnumerable<JsonObject> cases) =>
        Request(new JsonObject { ["kind"] = kind, ["cases"] = new JsonArray(cases.Select(c => (JsonNode?)c).ToArray()) })["results"]!.AsArray();

    private static JsonArray Array(float[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    private static JsonArray Rows(float[] packed, int width) =>
        new(Enumerable.Range(0, packed.Length / width).Select(i => (JsonNode?)Array(packed.AsSpan(i * width, width).ToArray())).ToArray());

    private static float[] Floats(JsonNode node) => node.AsArray().Select(v => v!.GetValue<float>()).ToArray();
}
