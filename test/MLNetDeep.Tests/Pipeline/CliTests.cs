using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

/// <summary>The <c>mlnetdeep</c> tool end to end: train → evaluate → predict → info on a generated TSV.</summary>
public class CliTests
{
    [Test]
    public void TrainEvaluatePredictInfo()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var stdout = Console.Out;
        try
        {
            string data = Path.Combine(dir, "train.tsv"), model = Path.Combine(dir, "model.zip");
            File.WriteAllLines(data, new[] { "label\ttext" }.Concat(PipelineTestData.Make(200, 4).Select(r => $"{r.Label}\t{r.Text}")));
            var output = new StringWriter();
            Console.SetOut(output);
            Assert.That(MLNetDeep.Cli.Program.Main(["train", "text-classifier", "--data", data, "--has-header", "--output", model, "--epochs", "4", "--seed", "3"]), Is.EqualTo(0));
            Assert.That(File.Exists(model), Is.True);
            Assert.That(MLNetDeep.Cli.Program.Main(["evaluate", "text-classifier", "--data", data, "--has-header", "--model", model]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["predict", "--model", model, "--text", "rain storm forecast wind"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["info", "--model", model]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["train", "text-classifier", "--help"]), Is.EqualTo(0));
            string text = output.ToString();
            Assert.That(text, Does.Contain("accuracy"));
            Assert.That(text, Does.Contain("weather"));
            Assert.That(text, Does.Contain("TextClassificationTransformer"));
            Assert.That(text, Does.Contain("--learning-rate"));
            Assert.That(MLNetDeep.Cli.Program.Main(["train", "text-classifier", "--output", model]), Is.Not.EqualTo(0), "a missing required option fails");
        }
        finally
        {
            Console.SetOut(stdout);
            Directory.Delete(dir, recursive: true);
        }
    }
}
