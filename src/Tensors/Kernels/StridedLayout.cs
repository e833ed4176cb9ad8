namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Iteration plan for up to three same-shaped strided operands: dimensions that are contiguous in all
/// operands are merged, so a loop nest runs an outer odometer over <see cref="Outer"/> index
/// combinations and an inner run of <see cref="InnerSize"/> elements with per-operand inner strides.
/// </summary>
internal readonly struct StridedLayout
{
    public readonly int[] Dims;         // merged dims, last one is the inner run
    public readonly int[][] Strides;    // per operand, aligned with Dims
    public readonly int InnerSize;
    public readonly int Outer;

    public StridedLayout(int[] dims, params int[][] strides)
    {
        var d = new List<int>();
        var s = strides.Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 1) continue;
            bool merge = d.Count > 0;
            for (int k = 0; merge && k < strides.Length; k++)
                merge = s[k][^1] == strides[k][i] * dims[i];
            if (merge)
            {
                d[^1] *= dims[i];
                for (int k = 0; k < strides.Length; k++) s[k][^1] = strides[k][i];
            }
            else
            {
                d.Add(dims[i]);
                for (int k = 0; k < strides.Length; k++) s[k].Add(strides[k][i]);
            }
        }
        if (d.Count == 0)
        {
            d.Add(1);
            foreach (var l in s) l.Add(1);
        }
        Dims = d.ToArray();
        Strides = s.Select(l => l.ToArray()).ToArray();
        InnerSize = Dims[^1];
        long outer = 1;
        for (int i = 0; i < Dims.Length - 1; i++) outer *= Dims[i];
        Outer = (int)outer;
    }

    public int InnerStride(int operand) => Strides[operand][^1];

    /// <summary>Element offset of operand <paramref name="operand"/> for outer index <paramref name="o"/> (row-major over the outer dims).</summary>
    public int OuterOffset(int operand, int o)
    {
        int off = 0;
        var st = Strides[operand];
        for (int i = Dims.Length - 2; i >= 0; i--)
        {
            int idx = o % Dims[i];
            o /= Dims[i];
            off += idx * st[i];
        }
        return off;
    }
}
