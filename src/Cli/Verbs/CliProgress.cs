using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary>Reports <see cref="TrainingProgress"/> to a Spectre.Console progress bar (one tick per epoch).</summary>
internal sealed class CliProgress(ProgressTask task) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        string validation = value.ValidationLoss is double v ? FormattableString.Invariant($", valid {v:F4}") : "";
        task.Description = FormattableString.Invariant($"epoch {value.Epoch}/{value.NumberOfEpochs} loss {value.TrainLoss:F4}{validation} ({value.RowsPerSecond:F0} rows/s)");
        if (value.IsEpochEnd) task.Value = value.Epoch;
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar of <paramref name="epochs"/> ticks.</summary>
    public static T Run<T>(string title, int epochs, Func<IProgress<TrainingProgress>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: epochs);
                result = work(new CliProgress(task));
                task.Value = epochs;
            });
        return result;
    }
}
