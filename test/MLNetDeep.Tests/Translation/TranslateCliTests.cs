using NUnit.Framework;

namespace MLNetDeep.Tests.Translation;

/// <summary><c>mlnetdeep translate train | evaluate | MODEL "text"</c> end to end on the toy task.</summary>
[NonParallelizable]
public class TranslateCliTests
{
    [Test]
    public void TrainEvaluateTranslateAndCurve()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-translate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var stdout = Console.Out;
        try
        {
            string P(string f) => Path.Combine(dir, f);
            void Write(string stem, int n, int seed)
            {
                var rows = TranslationTestData.ReversedUpper(n, seed);
                File.WriteAllLines(P(stem + ".src"), rows.Select(r => r.Source));
                File.WriteAllLines(P(stem + ".tgt"), rows.Select(r => r.Target));
            }
            Write("train", 300, 1);
            Write("dev", 30, 2);
            var output = new StringWriter();
            Console.SetOut(output);
            int rc = MLNetDeep.Cli.Program.Main(["translate", "train", "--source", P("train.src"), "--target", P("train.tgt"), "--valid-source", P("dev.src"), "--valid-target", P("dev.tgt"),
                "--output", P("model.zip"), "--epochs", "10", "--batch-size", "16", "--learning-rate", "0.01", "--embedding-dimension", "16", "--hidden-size", "32",
                "--max-target-length", "10", "--optimizer", "Adam", "--schedule", "Constant", "--curve", P("curve.svg"), "--checkpoint", P("run.ckpt"), "--seed", "3"]);
            Assert.That(rc, Is.EqualTo(0), output.ToString());
            Assert.That(File.ReadAllText(P("curve.svg")), Does.StartWith("<svg").And.Contain("polyline"));
            Assert.That(File.Exists(P("run.ckpt")), Is.True);
            Assert.That(MLNetDeep.Cli.Program.Main(["translate", "evaluate", P("model.zip"), "--source", P("dev.src"), "--target", P("dev.tgt"), "--beam-size", "3", "--write", P("hyp.txt")]), Is.EqualTo(0));
            Assert.That(File.ReadAllLines(P("hyp.txt")), Has.Length.EqualTo(30));
            Assert.That(output.ToString(), Does.Contain("BLEU").And.Contain("beam 3"));
            output.GetStringBuilder().Clear();
            Assert.That(MLNetDeep.Cli.Program.Main(["translate", P("model.zip"), "a b c d"]), Is.EqualTo(0));
            string translated = output.ToString().Trim();
            Assert.That(translated, Does.Match("^[A-H ]+$"), "an upper-case toy translation");
            output.GetStringBuilder().Clear();
            Assert.That(MLNetDeep.Cli.Program.Main(["translate", P("model.zip"), "a b c d", "--n-best", "2"]), Is.EqualTo(0));
            var lines = output.ToString().Trim().Split('\n').Select(l => l.TrimEnd('\r').Split('\t')).ToList();
            Assert.That(lines, Has.Count.EqualTo(2), output.ToString());
            Assert.That(lines.All(l => l.Length == 2 && double.Parse(l[0], System.Globalization.CultureInfo.InvariantCulture) < 0), Is.True, output.ToString());
            Assert.That(MLNetDeep.Cli.Program.Main(["translate", "train", "--source", P("dev.src"), "--target", P("dev.tgt"), "--output", P("x.zip"), "--optimizer", "Lbfgs"]), Is.Not.EqualTo(0), "unknown optimizer");
            Assert.That(MLNetDeep.Cli.Program.Main(["translate", "train", "--output", P("x.zip")]), Is.Not.EqualTo(0), "missing --source fails");
            Assert.That(MLNetDeep.Cli.Program.Main(["translate", "export-onnx", P("model.zip"), "--output-dir", P("onnx")]), Is.EqualTo(0));
            Assert.That(File.Exists(P("onnx/encoder.onnx")) && File.Exists(P("onnx/decoder.onnx")), Is.True);
            Assert.That(File.ReadLines(P("onnx/target.vocab")).Take(4), Is.EqualTo(new[] { "<pad>", "<s>", "</s>", "<unk>" }));
        }
        finally
        {
            Console.SetOut(stdout);
            Directory.Delete(dir, recursive: true);
        }
    }
}
