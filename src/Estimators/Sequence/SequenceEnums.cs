namespace MLNetDeep.Estimators.Sequence;

/// <summary>The recurrent cell of a sequence model.</summary>
public enum SequenceCellType
{
    /// <summary>Elman RNN with tanh.</summary>
    Rnn,
    /// <summary>Long short-term memory.</summary>
    Lstm,
    /// <summary>Gated recurrent unit.</summary>
    Gru,
}

/// <summary>How the per-step outputs of the last recurrent layer become one vector per sequence.</summary>
public enum SequencePooling
{
    /// <summary>The output at the last valid step (bidirectional: forward at the last step, backward at the first).</summary>
    Last,
    /// <summary>The mean over the valid steps.</summary>
    Mean,
    /// <summary>The element-wise maximum over the valid steps.</summary>
    Max,
    /// <summary>A learned softmax weighting of the valid steps (score = w·yₜ + b).</summary>
    Attention,
}
