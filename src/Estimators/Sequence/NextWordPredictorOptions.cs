namespace MLNetDeep.Estimators.Sequence;

/// <summary>Options of the next-word predictor (<c>ctx.Text.Trainers.NextWordPredictor</c>).</summary>
public sealed class NextWordPredictorOptions : SequenceModelOptions
{
    /// <summary>Creates the options with the language-model defaults (LSTM, last-state pooling, a 5-word context).</summary>
    public NextWordPredictorOptions() => Cell = SequenceCellType.Lstm;

    /// <summary>
    /// Previous words the model sees (the course uses 5). Training makes one example per word of each
    /// sentence that has at least one word before it; 0 means the whole prefix of the sentence.
    /// At prediction time a longer context is cut to its last <see cref="ContextSize"/> words.
    /// </summary>
    public int ContextSize { get; set; } = 5;

    internal override void Validate()
    {
        base.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(ContextSize, nameof(ContextSize));
    }
}
