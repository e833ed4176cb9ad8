namespace MLNetDeep.Tensors.Nn;

/// <summary>Flattens dimensions [<see cref="StartDim"/>, <see cref="EndDim"/>] into one (by default all but the batch dimension).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    /// <summary>First dimension to flatten (negative counts from the end).</summary>
    public int StartDim { get; }

    /// <summary>Last dimension to flatten, inclusive (negative counts from the end).</summary>
    public int EndDim { get; }

    /// <summary>Creates the layer.</summary>
    /// <param name="startDim">First dimension to flatten.</param>
    /// <param name="endDim">Last dimension to flatten, inclusive.</param>
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    /// <summary>Returns the input reshaped with the selected dimensions merged.</summary>
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);

    /// <inheritdoc/>
    protected override string Describe() => $"Flatten(start_dim={StartDim}, end_dim={EndDim})";
}
