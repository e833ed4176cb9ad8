using MLNetDeep.Tests.Pipeline;
using NUnit.Framework;

namespace MLNetDeep.Tests.Word2Vec;

/// <summary><c>mlnetdeep word2vec train|similar|analogy|export-onnx</c> end to end on a generated corpus.</summary>
[NonParallelizable]
public class Word2VecCliTests
{
    [Test]
    public void TrainSimilarAnalogyExport()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-w2v-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var stdout = Console.Out;
        try
        {
            string corpus = Path.Combine(dir, "corpus.txt"), model = Path.Combine(dir, "w2v.zip"), text = Path.Combine(dir, "vectors.txt"), onnx = Path.Combine(dir, "w2v.onnx");
            File.WriteAllLines(corpus, PipelineTestData.Make(1500, 4).Select(r => r.Text.ToLowerInvariant()));
            var output = new StringWriter();
            Console.SetOut(output);
            Assert.That(MLNetDeep.Cli.Program.Main(["word2vec", "train", "--corpus", corpus, "--output", model, "--architecture", "SkipGram", "--vector-size", "16",
                "--min-count", "1", "--sample", "0", "--threads", "1", "--save-text", text]), Is.EqualTo(0), output.ToString());
            Assert.That(File.Exists(model) && File.Exists(text), Is.True);
            int at = output.ToString().Length;
            Assert.That(MLNetDeep.Cli.Program.Main(["word2vec", "similar", model, "goal", "--topn", "3"]), Is.EqualTo(0));
            var similar = output.ToString()[at..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).ToList();
            Assert.That(similar, Has.Count.EqualTo(3));
            Assert.That(similar, Is.SubsetOf(new[] { "match", "team", "score", "coach", "league", "ball", "referee" }));
            Assert.That(MLNetDeep.Cli.Program.Main(["word2vec", "analogy", model, "--positive", "goal,oven", "--negative", "match", "--topn", "2"]), Is.EqualTo(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["word2vec", "export-onnx", model, "--output", onnx]), Is.EqualTo(0));
            Assert.That(new FileInfo(onnx).Length, Is.GreaterThan(0));
            Assert.That(MLNetDeep.Cli.Program.Main(["word2vec", "similar", model, "no-such-word"]), Is.Not.EqualTo(0), "an unknown word fails");
        }
        finally
        {
            Console.SetOut(stdout);
            Directory.Delete(dir, recursive: true);
        }
    }
}
