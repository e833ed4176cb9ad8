using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// A fused activation's clamp to [lo, hi] on 16 floats, as a kernel's last step before its store
/// (Relu: [0, ∞), Relu6: [0, 6]); an infinite bound costs nothing.
/// </summary>
internal readonly struct VectorClamp(float lo, float hi)
{
    private readonly bool _lo = !float.IsNegativeInfinity(lo), _hi = !float.IsPositiveInfinity(hi);
    private readonly Vector512<float> _vlo = Vector512.Create(lo), _vhi = Vector512.Create(hi);

    /// <summary>min(max(v, lo), hi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Of(Vector512<float> v)
    {
        if (_lo) v = Vector512.Max(v, _vlo);
        if (_hi) v = Vector512.Min(v, _vhi);
        return v;
    }
}
