using System.Diagnostics;
using System.Globalization;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Kernels;
using MLNetDeep.Tensors.Nn;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.Bench;

/// <summary>
/// `quantized`: CPU inference latency of one image classifier network in our engine, float32 vs its int8 copy made by
/// <see cref="PostTrainingQuantizer"/>, on a batch of 28×28 images, all cores. The network is a saved classifier
/// (`--model MODEL.zip`, an ImageClassifier or QuantizedClassifier zip) or, by default, the default SmallCnn of
/// ImageClassifierOptions with seeded random weights (latency does not depend on the weight values). Calibration uses
/// 4 batches of the benchmark images. Each figure is the median of the repeats after warm-up; ratio = fp32 / int8.
/// Usage: quantized [--batch 64] [--repeats 30] [--model MODEL.zip] [--architecture SmallCnn] [--width 16] [--threads N]
/// [--minimum-conv-depth D] (the quantizer's MinimumConvDepth).
/// </summary>
public static class QuantizedSuite
{
    public static int Run(string[] args)
    {
        int batch = 64, repeats = 30, width = 16, minimumConvDepth = PostTrainingQuantizer.DefaultMinimumConvDepth;
        string? modelPath = null;
        var architecture = ImageArchitecture.SmallCnn;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--batch": batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--model": modelPath = args[i + 1]; break;
                case "--architecture": architecture = Enum.Parse<ImageArchitecture>(args[i + 1]); break;
                case "--width": width = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--minimum-conv-depth": minimumConvDepth = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--threads": Parallelism.NumThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        Module<Tensor, Tensor> network;
        int[] shape;
        if (modelPath is null)
        {
            var o = new ImageClassifierOptions { Architecture = architecture, Width = width };
            shape = [1, 28, 28];
            network = ImageNetworks.Build(o, shape, 10, new Generator(1));
        }
        else
        {
            var loaded = new DeepContext(0).Model.Load(modelPath, out _);
            var classifier = loaded is QuantizedClassifierTransformer q ? q.FloatModel : (INetworkClassifier)loaded;
            network = classifier.Network;
            shape = [.. classifier.InputShape];
        }
        network.Eval();
        var g = new Generator(2);
        var x = Tensor.Rand([batch, .. shape], g);
        var calibration = Enumerable.Range(0, 4).Select(_ => Tensor.Rand([batch, .. shape], g)).ToList();
        using var noGrad = Tensor.NoGrad();
        var result = new PostTrainingQuantizer(minimumConvDepth: minimumConvDepth).Quantize(network, calibration);
        var int8 = result.Network;
        Console.WriteLine($"network: {(modelPath ?? $"{architecture} width {width} (random weights)")}, batch {batch}, threads {Parallelism.NumThreads}, " +
            $"int8 layers {result.QuantizedLayers}, vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        var yF = network.Forward(x).ToFloatArray();
        var yQ = int8.Forward(x).ToFloatArray();
        Console.WriteLine($"max |int8 - fp32| logit difference: {yF.Zip(yQ, (a, b) => Math.Abs(a - b)).Max():G3} (fp32 max |logit| {yF.Max(Math.Abs):G3})");
        if (Environment.GetEnvironmentVariable("MLNETDEEP_QUANT_LAYERS") == "1")
        {
            Layers("fp32", network, x, repeats);
            Layers("int8", int8, x, repeats);
        }
        double fp32 = Time(network, x, repeats), q8 = Time(int8, x, repeats);
        Console.WriteLine($"fp32 {fp32:F2} ms, int8 {q8:F2} ms per batch of {batch}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quantized: ours={q8:F3} peer={fp32:F3} ratio={fp32 / q8:F2}"));
        return 0;
    }

    /// <summary>Median time of each layer of a Sequential (nested chains flattened), with MLNETDEEP_QUANT_LAYERS=1.</summary>
    private static void Layers(string label, Module<Tensor, Tensor> net, Tensor x, int repeats)
    {
        IEnumerable<Module<Tensor, Tensor>> Flat(Module<Tensor, Tensor> m) =>
            m is Sequential s ? Enumerable.Range(0, s.Count).SelectMany(i => Flat(s[i])) : [m];
        foreach (var layer in Flat(net))
        {
            Console.WriteLine($"  {label} {layer.GetType().Name,-16} {Time(layer, x, repeats),8:F3} ms");
            x = layer.Forward(x);
        }
    }

    private static double Time(Module<Tensor, Tensor> net, Tensor x, int repeats)
    {
        for (int i = 0; i < 3; i++) net.Forward(x);
        var times = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            net.Forward(x);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return UseMin ? times.Min() : Peer.Median(times);
    }

    private static bool UseMin => Environment.GetEnvironmentVariable("MLNETDEEP_QUANT_MIN") == "1";
}
