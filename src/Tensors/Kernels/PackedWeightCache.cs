namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Remembers the packed GEMM form of one constant weight matrix (e.g. an ONNX initializer feeding a Conv),
/// so inference packs it once instead of on every call. The cache is keyed on the identity of the storage
/// array, its offset and the shape: a different array repacks; the caller promises the values of a cached
/// array never change (only use it for constants). Safe to share between threads (a race packs twice).
/// </summary>
internal sealed unsafe class PackedWeightCache
{
    private sealed record Entry(float[] Source, int Offset, GemmPackedA Packed);

    private volatile Entry? _entry;

    /// <summary>W[m, k] (row-major, starting at <paramref name="offset"/> in <paramref name="w"/>) packed for the GEMM.</summary>
    public GemmPackedA Get(float[] w, int offset, int m, int k)
    {
        var e = _entry;
        if (e != null && ReferenceEquals(e.Source, w) && e.Offset == offset && e.Packed.M == m && e.Packed.K == k) return e.Packed;
        GemmPackedA packed;
        fixed (float* pw = w) packed = GemmPackedA.Pack(pw + offset, k, m, k);
        _entry = new Entry(w, offset, packed);
        return packed;
    }
}
