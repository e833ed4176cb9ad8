namespace MLNetDeep.Tensors.Nn;

/// <summary>
/// Inverted dropout: in training mode zeroes each element with probability <see cref="P"/> and scales
/// the survivors by 1/(1−p); the identity in evaluation mode.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Drop probability in [0, 1].</param>
    /// <param name="generator">Random source for the masks (default: the calling thread's <see cref="Generator.Default"/> at each call).</param>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
        P = p;
        _generator = generator;
    }

    /// <summary>Applies dropout when <see cref="Module.IsTraining"/>, else returns the input.</summary>
    public override Tensor Forward(Tensor input) => F.Dropout(input, P, IsTraining, _generator);

    /// <inheritdoc/>
    protected override string Describe() => $"Dropout(p={P})";
}
