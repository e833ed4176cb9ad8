using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Sequence;

/// <summary><c>mlnetdeep text classify train|predict</c> and <c>text lm train|predict|generate</c> end to end on generated files.</summary>
public class SequenceCliTests
{
    [Test]
    public void ClassifyAndLanguageModelVerbs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-seq-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var stdout = Console.Out;
        var ansi = Spectre.Console.AnsiConsole.Console; // created once per process: point it at our writer, whoever used it first
        try
        {
            string data = Path.Combine(dir, "train.tsv"), model = Path.Combine(dir, "cls.zip"), sentences = Path.Combine(dir, "lines.txt"), lm = Path.Combine(dir, "lm.zip");
            File.WriteAllLines(data, PipelineTestData.Make(200, 4).Select(r => $"{r.Label}\t{r.Text}"));
            string[] cycle = ["one", "two", "three", "four", "five", "six"];
            File.WriteAllLines(sentences, Enumerable.Range(0, 120).Select(i => string.Join(' ', Enumerable.Range(i % 6, 3 + i % 5).Select(k => cycle[k % 6]))));
            var output = new StringWriter();
            Console.SetOut(output);
            Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) });
            Assert.That(MLNetDeep.Cli.Program.Main(["text", "classify", "train", "--data", data, "--output", model, "--epochs", "6", "--cell", "Lstm", "--pooling", "Mean",
                "--embedding-dimension", "16", "--hidden-size", "16", "--learning-rate", "0.01"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["text", "classify", "predict", "--model", model, "--text", "rain storm forecast wind", "oven recipe salt"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["text", "lm", "train", "--data", sentences, "--validation-data", sentences, "--output", lm, "--epochs", "8", "--cell", "Gru",
                "--embedding-dimension", "8", "--hidden-size", "16", "--learning-rate", "0.02", "--batch-size", "32"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["text", "lm", "predict", "--model", lm, "--text", "two three", "--top", "3"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["text", "lm", "generate", "--model", lm, "--text", "one", "--words", "3", "--temperature", "0"]), Is.EqualTo(0));
            string text = output.ToString();
            Assert.That(text, Does.Contain("macro-F1"));
            Assert.That(text, Does.Contain("weather\t").And.Contain("cooking\t"));
            Assert.That(text, Does.Contain("perplexity"));
            Assert.That(text, Does.Contain("four\t"), "the most likely word after 'two three'");
            Assert.That(text, Does.Contain("one two three four"), "greedy generation follows the cycle");
            Assert.That(MLNetDeep.Cli.Program.Main(["text", "lm", "train", "--output", lm]), Is.Not.EqualTo(0), "a missing required option fails");
        }
        finally
        {
            Console.SetOut(stdout);
            Spectre.Console.AnsiConsole.Console = ansi;
            Directory.Delete(dir, recursive: true);
        }
    }
}
