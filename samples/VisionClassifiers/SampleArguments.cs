using System.Globalization;
using MLNetDeep.Estimators.Vision;

/// <summary>"mode --name value ..." command lines of the sample.</summary>
internal sealed class SampleArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string Mode { get; private set; } = "";

    public static SampleArguments Parse(string[] args)
    {
        var a = new SampleArguments { Mode = args.Length > 0 ? args[0] : "" };
        for (int i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            bool flag = i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal);
            a._values[args[i][2..]] = flag ? "true" : args[++i];
        }
        return a;
    }

    public string String(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>"Arch[:size[:size]]": SmallCnn:width, MobileNetV1/V2:multiplier, ResNet:depth:width, DenseNet:growth:layers, Mlp:hidden.</summary>
    public static ImageClassifierOptions FromSpec(string spec)
    {
        var parts = spec.Split(':');
        var o = new ImageClassifierOptions { Architecture = Enum.Parse<ImageArchitecture>(parts[0], ignoreCase: true) };
        double At(int i, double fallback) => parts.Length > i ? double.Parse(parts[i], CultureInfo.InvariantCulture) : fallback;
        switch (o.Architecture)
        {
            case ImageArchitecture.Mlp: o.HiddenSize = (int)At(1, 256); break;
            case ImageArchitecture.SmallCnn: o.Width = (int)At(1, 32); o.HiddenSize = 256; break;
            case ImageArchitecture.MobileNetV1 or ImageArchitecture.MobileNetV2: o.WidthMultiplier = At(1, 1); break;
            case ImageArchitecture.ResNet: o.Depth = (int)At(1, 20); o.Width = (int)At(2, 16); break;
            case ImageArchitecture.DenseNet: o.GrowthRate = (int)At(1, 12); o.DenseLayers = (int)At(2, 4); break;
        }
        return o;
    }

    /// <summary>Classifier options from --arch (a spec, see <see cref="FromSpec"/>), --epochs, --batch, --lr, --optimizer, --schedule, --crop, --shift, --flip, --seed.</summary>
    public ImageClassifierOptions ClassifierOptions()
    {
        var o = FromSpec(String("arch", "SmallCnn:32"));
        o.NumberOfEpochs = Int("epochs", 5);
        o.BatchSize = Int("batch", 128);
        o.LearningRate = Double("lr", 2e-3);
        o.Optimizer = Enum.Parse<ImageOptimizer>(String("optimizer", "Adam"), ignoreCase: true);
        o.Schedule = Enum.Parse<LearningRateSchedule>(String("schedule", "Cosine"), ignoreCase: true);
        o.WeightDecay = Double("weight-decay", 0);
        o.Augmentation = new ImageAugmentation { CropPadding = Int("crop", 0), MaxShift = Int("shift", 0), HorizontalFlipProbability = Double("flip", 0) };
        o.Seed = Int("seed", 1);
        return o;
    }
}
