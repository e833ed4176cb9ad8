namespace MLNetDeep.Estimators.Sequence;

/// <summary>Options of the sequence classifier (<c>ctx.Text.Trainers.SequenceClassifier</c>).</summary>
public sealed class SequenceClassifierOptions : SequenceModelOptions
{
    /// <summary>Label column: a Key (from MapValueToKey) whose key values name the classes.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Per-class loss weights in key order (null: all 1), e.g. inverse frequencies for imbalanced labels.</summary>
    public IReadOnlyList<float>? ClassWeights { get; set; }

    internal override void Validate()
    {
        base.Validate();
        ArgumentException.ThrowIfNullOrEmpty(LabelColumnName, nameof(LabelColumnName));
        if (ClassWeights is not null && ClassWeights.Any(w => !(w >= 0) || float.IsInfinity(w)))
            throw new ArgumentOutOfRangeException(nameof(ClassWeights), "Class weights must be finite and non-negative.");
    }
}
