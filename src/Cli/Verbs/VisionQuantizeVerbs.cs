using System.CommandLine;
using System.Globalization;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Compression;
using MLNetDeep.Tensors.Nn.Quantized;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// <c>vision quantize MODEL.zip --calibration-images X --calibration-labels Y --output Q.zip [--onnx Q.onnx]</c>:
/// post-training int8 quantization of a saved image classifier (as <c>ctx.Transforms.Quantize</c>), calibrated on
/// IDX images, saved as a model zip and optionally exported as a QDQ ONNX file.
/// </summary>
public sealed class VisionQuantizeVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Estimators.EstimatorsRegistration.EnsureRegistered();
        var zip = new Argument<FileInfo>("MODEL") { Description = "A saved image classifier (.zip written by 'vision train' or ctx.Model.Save)." };
        var images = new Option<FileInfo>("--calibration-images") { Description = "IDX image file (.gz ok) for calibration.", Required = true };
        var labels = new Option<FileInfo>("--calibration-labels") { Description = "IDX label file matching the images.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Destination .zip of the quantized model.", Required = true };
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Also export the quantized model as a QDQ ONNX file." };
        var examples = new Option<int>("--calibration-examples") { Description = "Calibration rows to use.", DefaultValueFactory = _ => QuantizationOptions.Defaults.CalibrationExamples };
        var observer = new Option<QuantizationObserver>("--observer") { Description = "Activation range observer: MinMax or Percentile.", DefaultValueFactory = _ => QuantizationOptions.Defaults.Observer };
        var quantize = new Command("quantize", "Post-training int8 quantization of a saved image classifier.") { zip, images, labels, output, onnx, examples, observer };
        quantize.SetAction(r => Guard(r, () => Quantize(r.GetValue(zip)!, r.GetValue(images)!, r.GetValue(labels)!, r.GetValue(output)!, r.GetValue(onnx),
            new QuantizationOptions { CalibrationExamples = r.GetValue(examples), Observer = r.GetValue(observer) }, r.InvocationConfiguration.Output)));
        VerbGroups.Verb(root, "vision").Add(quantize);
    }

    // Expected failures print one line naming the culprit and exit with 1.
    private static int Guard(ParseResult r, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is Persistence.ModelFormatException or SchemaMismatchException or DataLoadException or OnnxExport.OnnxExportException
                                      or IOException or ArgumentException or InvalidOperationException or InvalidCastException or UnauthorizedAccessException)
        {
            r.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Quantize(FileInfo zip, FileInfo images, FileInfo labels, FileInfo output, FileInfo? onnx, QuantizationOptions options, TextWriter w)
    {
        if (!zip.Exists) throw new FileNotFoundException($"Model file '{zip.FullName}' not found.", zip.FullName);
        var ctx = new DeepContext(seed: 0);
        var loaded = ctx.Model.Load(zip.FullName, out var schema);
        if (loaded is not INetworkClassifier classifier)
            throw new InvalidOperationException($"'{zip.Name}' holds a {loaded.GetType().Name}, not an image classifier that can be quantized.");
        var data = ctx.Data.LoadFromIdx(images.FullName, labels.FullName);
        var quantized = ctx.Transforms.Quantize(classifier, options).Fit(data);
        ctx.Model.Save(quantized, schema, output.FullName);
        int layers = quantized.Network.NamedModules().Count(m => m.Value is QuantizedConv2d or QuantizedLinear);
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"quantized {zip.Name}: {layers} int8 layers, calibrated on {Math.Min(options.CalibrationExamples, data.GetRowCount() ?? 0)} images → {output.FullName} ({new FileInfo(output.FullName).Length} bytes)"));
        if (onnx is not null)
        {
            ctx.Model.ExportOnnx(quantized, data, onnx.FullName);
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exported QDQ ONNX → {onnx.FullName} ({new FileInfo(onnx.FullName).Length} bytes)"));
        }
        return 0;
    }
}
