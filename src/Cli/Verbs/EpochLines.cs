using MLNetDeep.Data;

namespace MLNetDeep.Cli.Verbs;

/// <summary>One line per epoch on a command's output (plain text: the verbs write only to the invocation's writers).</summary>
internal sealed class EpochLines(TextWriter output, string unit = "images") : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.IsEpochEnd)
            output.WriteLine(FormattableString.Invariant($"epoch {value.Epoch}/{value.NumberOfEpochs}: loss {value.TrainLoss:F4}, {value.RowsPerSecond:F1} {unit}/s, {value.Elapsed.TotalSeconds:F1} s"));
    }
}
