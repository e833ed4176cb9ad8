using MLNetDeep.Data;
using NUnit.Framework;

namespace MLNetDeep.Tests.Vision;

/// <summary><c>mlnetdeep vision train|evaluate|distill</c> end to end on small generated IDX files.</summary>
public class VisionCliTests
{
    /// <summary>Writes synthetic bars (see <see cref="ImageClassifierTests.Bars"/>) as an uncompressed IDX pair.</summary>
    private static void WriteIdx(string images, string labels, int count, int seed)
    {
        var view = ImageClassifierTests.Bars(new DeepContext(0), count, seed);
        var pixels = view.GetColumn<float[]>("Image");
        var keys = view.GetColumn<uint>("Label");
        using (var f = File.Create(images))
        {
            f.Write([0, 0, 8, 3, 0, 0, 0, (byte)count, 0, 0, 0, 12, 0, 0, 0, 12]);
            foreach (var x in pixels) f.Write(x.Select(v => (byte)Math.Round(v * 255)).ToArray());
        }
        using (var f = File.Create(labels))
        {
            f.Write([0, 0, 8, 1, 0, 0, 0, (byte)count]);
            f.Write(keys.Select(k => (byte)(k - 1)).ToArray());
        }
    }

    [Test]
    public void TrainEvaluateDistill()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-vision-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var stdout = Console.Out;
        var ansi = Spectre.Console.AnsiConsole.Console;
        try
        {
            string images = Path.Combine(dir, "images"), labels = Path.Combine(dir, "labels"), testImages = Path.Combine(dir, "test-images"), testLabels = Path.Combine(dir, "test-labels");
            string teacher = Path.Combine(dir, "teacher.zip"), student = Path.Combine(dir, "student.zip");
            WriteIdx(images, labels, 150, 1);
            WriteIdx(testImages, testLabels, 60, 2);
            var output = new StringWriter();
            Console.SetOut(output);
            Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "train", "--images", images, "--labels", labels, "--validation-images", testImages, "--validation-labels", testLabels,
                "--output", teacher, "--architecture", "SmallCnn", "--width", "4", "--hidden-size", "16", "--epochs", "4", "--batch-size", "16", "--learning-rate", "0.01", "--patience", "2"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "evaluate", "--model", teacher, "--images", testImages, "--labels", testLabels]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "distill", "--teacher", teacher, "--images", images, "--labels", labels, "--output", student,
                "--architecture", "Mlp", "--hidden-size", "8", "--epochs", "3", "--batch-size", "16", "--learning-rate", "0.01", "--temperature", "2", "--alpha", "0.5", "--max-shift", "1"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "evaluate", "--model", student, "--images", testImages, "--labels", testLabels]), Is.EqualTo(0));
            string text = output.ToString();
            Assert.That(text, Does.Contain("saved").And.Contain("SmallCnn").And.Contain("Mlp"));
            Assert.That(text, Does.Contain("macro-F1").And.Contain("confusion matrix"));
            Assert.That(File.Exists(student));
            Assert.That(MLNetDeep.Cli.Program.Main(["vision", "train", "--images", images]), Is.Not.EqualTo(0), "missing required options fail");
        }
        finally
        {
            Console.SetOut(stdout);
            Spectre.Console.AnsiConsole.Console = ansi;
            Directory.Delete(dir, recursive: true);
        }
    }
}
