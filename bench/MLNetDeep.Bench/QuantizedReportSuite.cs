using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.Bench;

/// <summary>
/// `quantized-report`: the figures of docs/vision.md's quantization section on Fashion-MNIST. Trains an image classifier
/// (SmallCnn by default, seeded) on the training set, or loads one (`--model`), quantizes it calibrated on the first
/// 1024 training images, and prints: fp32 and int8 test accuracy, model zip and ONNX file sizes (fp32 vs QDQ), and the
/// fraction of the 10,000 test images where ONNX Runtime on the QDQ file predicts the int8 transformer's label.
/// Usage: quantized-report [--epochs 2] [--architecture SmallCnn] [--model MODEL.zip] [--out DIR] [--data DIR].
/// </summary>
public static class QuantizedReportSuite
{
    public static int Run(string[] args)
    {
        int epochs = 2;
        var architecture = ImageArchitecture.SmallCnn;
        string? modelPath = null;
        string outDir = Path.Combine(Path.GetTempPath(), "mlnetdeep-quantized-report");
        string dataDir = FashionMnistFiles.ResolveDirectory();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--architecture": architecture = Enum.Parse<ImageArchitecture>(args[i + 1]); break;
                case "--model": modelPath = args[i + 1]; break;
                case "--out": outDir = args[i + 1]; break;
                case "--data": dataDir = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        Directory.CreateDirectory(outDir);
        var ctx = new DeepContext(1);
        string File(string split, string kind) => FashionMnistFiles.Find(dataDir, split, kind);
        var train = ctx.Data.LoadFromIdx(File("train", "images-idx3"), File("train", "labels-idx1"));
        var test = ctx.Data.LoadFromIdx(File("t10k", "images-idx3"), File("t10k", "labels-idx1"));
        var sw = Stopwatch.StartNew();
        INetworkClassifier model;
        if (modelPath is null)
        {
            model = ctx.Vision.Trainers.ImageClassifier(new ImageClassifierOptions { Architecture = architecture, NumberOfEpochs = epochs, Seed = 1 }).Fit(train);
            modelPath = Path.Combine(outDir, "fp32.zip");
            ctx.Model.Save(model, train.Schema, modelPath);
            Console.WriteLine($"trained {architecture} for {epochs} epochs in {sw.Elapsed.TotalSeconds:F0} s");
        }
        else model = (INetworkClassifier)ctx.Model.Load(modelPath, out _);

        var quantized = ctx.Transforms.Quantize(model).Fit(train);
        string qZip = Path.Combine(outDir, "int8.zip");
        ctx.Model.Save(quantized, train.Schema, qZip);
        double accF = ctx.Vision.Evaluate(model.Transform(test)).Accuracy;
        var scoredQ = quantized.Transform(test);
        double accQ = ctx.Vision.Evaluate(scoredQ).Accuracy;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy: fp32 {accF:P2}, int8 {accQ:P2} (difference {100 * (accQ - accF):+0.00;-0.00} points); int8 layers {quantized.Network.NamedModules().Count(m => m.Value is QuantizedConv2d or QuantizedLinear)}"));

        string fOnnx = Path.Combine(outDir, "fp32.onnx"), qOnnx = Path.Combine(outDir, "int8.onnx");
        ctx.Model.ExportOnnx(model, test, fOnnx);
        ctx.Model.ExportOnnx(quantized, test, qOnnx);
        long fz = new FileInfo(modelPath).Length, qz = new FileInfo(qZip).Length, fo = new FileInfo(fOnnx).Length, qo = new FileInfo(qOnnx).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"onnx: fp32 {fo} bytes, int8 QDQ {qo} bytes, {(double)fo / qo:F2}x smaller"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"zip: fp32 {fz} bytes, int8 {qz} bytes (the int8 zip holds the float model plus the calibrated ranges)"));

        // ONNX Runtime on the QDQ file vs the int8 transformer, all test images.
        var images = test.GetColumn<float[]>("Image");
        string input = Path.Combine(outDir, "test_images.f32");
        using (var f = System.IO.File.Create(input))
            foreach (var img in images) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(img.AsSpan()));
        var ours = scoredQ.GetColumn<uint>("PredictedLabel");
        var ort = OnnxInferSuite.RunNode(Path.Combine(Peer.RepoRoot(), "tools", "oracles", "onnx_predict_peer.js"),
            $"{qOnnx} {input} --features {images[0].Length} --input Image --output PredictedLabel", out var failure);
        if (ort is null) { Console.WriteLine($"ONNX Runtime unavailable: {failure}"); return 1; }
        var labels = ort["labels"].Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int agree = labels.Zip(ours).Count(t => t.First == t.Second);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime {ort["ort_version"]} on the QDQ file agrees with the int8 transformer on {agree} / {labels.Length} test images ({(double)agree / labels.Length:P2})"));
        return 0;
    }
}
