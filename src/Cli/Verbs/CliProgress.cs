using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// Reports <see cref="TrainingProgress"/> to a Spectre.Console progress bar (one tick per epoch) or, where the output
/// is not an interactive terminal, as one plain line per epoch.
/// </summary>
internal sealed class CliProgress : IProgress<TrainingProgress>
{
    private readonly ProgressTask? _task;
    private readonly TextWriter? _log;

    private CliProgress(ProgressTask? task, TextWriter? log)
    {
        _task = task;
        _log = log;
    }

    public void Report(TrainingProgress value)
    {
        string validation = value.ValidationLoss is double v ? FormattableString.Invariant($", valid {v:F4}") : "";
        string text = FormattableString.Invariant($"epoch {value.Epoch}/{value.NumberOfEpochs} loss {value.TrainLoss:F4}{validation} ({value.RowsPerSecond:F0} rows/s)");
        if (_task is not null)
        {
            _task.Description = text;
            if (value.IsEpochEnd) _task.Value = value.Epoch;
        }
        else if (value.IsEpochEnd) _log!.WriteLine(text);
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar of <paramref name="epochs"/> ticks written to <paramref name="output"/>
    /// (the invocation's output). A console is made for that writer on each call rather than using the process-wide
    /// <see cref="AnsiConsole"/>, which binds to the first standard output it sees, so in-process callers (tests) that
    /// give each invocation its own writer get the progress there. On a terminal the bar is live; otherwise each epoch
    /// end is written as a plain line.
    /// </summary>
    public static T Run<T>(TextWriter output, string title, int epochs, Func<IProgress<TrainingProgress>, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!(console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi))
        {
            output.WriteLine(FormattableString.Invariant($"{title}: {epochs} epochs"));
            return work(new CliProgress(null, output));
        }
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: epochs);
                result = work(new CliProgress(task, null));
                task.Value = epochs;
            });
        return result;
    }
}
