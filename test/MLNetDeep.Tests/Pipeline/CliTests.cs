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

    [Test]
    public void TrainingProgress_GoesToTheInvocationOutput()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-cli-progress-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "train.tsv"), model = Path.Combine(dir, "model.zip");
            File.WriteAllLines(data, new[] { "label\ttext" }.Concat(PipelineTestData.Make(60, 4).Select(r => $"{r.Label}\t{r.Text}")));
            // Two runs in one process, each with its own writer: the progress bar follows the writer of each invocation.
            for (int run = 0; run < 2; run++)
            {
                var output = new StringWriter();
                int code = MLNetDeep.Cli.Program.BuildRoot().Parse(["train", "text-classifier", "--data", data, "--has-header", "--output", model, "--epochs", "2"])
                    .Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = new StringWriter() });
                Assert.That(code, Is.EqualTo(0));
                Assert.That(output.ToString(), Does.Contain("training: 2 epochs").And.Contain("epoch 2/2 loss"), $"run {run}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
