namespace MLNetDeep.Tensors.Autograd;

/// <summary>Per-thread switch for graph recording; see <see cref="Tensor.NoGrad"/>.</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when operations on the calling thread record gradients.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    internal static void Disable() => _disabledDepth++;
    internal static void Restore() => _disabledDepth--;
}

/// <summary>Scope returned by <see cref="Tensor.NoGrad"/>; disposing it turns recording back on.</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _active;

    internal NoGradScope(bool active)
    {
        _active = active;
        if (active) GradMode.Disable();
    }

    /// <summary>Ends the scope.</summary>
    public void Dispose()
    {
        if (_active) GradMode.Restore();
    }
}
