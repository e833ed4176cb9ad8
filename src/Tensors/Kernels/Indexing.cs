namespace MLNetDeep.Tensors.Kernels;

/// <summary>Gather/scatter loops over contiguous [outer, dim, inner] blocks.</summary>
internal static class Indexing
{
    /// <summary>y[o, j, i] = x[o, index[j], i] (index_select).</summary>
    public static void IndexSelect<T>(T[] x, int xOff, int outer, int dimSize, int inner, long[] index, int indexOff, int count, T[] y)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < count; j++)
            {
                long src = index[indexOff + j];
                if ((ulong)src >= (ulong)dimSize) throw new IndexOutOfRangeException($"Index {src} out of range for a dimension of size {dimSize}.");
                x.AsSpan(xOff + (o * dimSize + (int)src) * inner, inner).CopyTo(y.AsSpan((o * count + j) * inner, inner));
            }
    }

    /// <summary>y[o, index[j], i] += src[o, j, i] (index_add; rows not named in index are untouched).</summary>
    public static void IndexAdd<T>(T[] y, int outer, int dimSize, int inner, long[] index, int indexOff, int count, T[] src, int srcOff)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < count; j++)
            {
                long dst = index[indexOff + j];
                if ((ulong)dst >= (ulong)dimSize) throw new IndexOutOfRangeException($"Index {dst} out of range for a dimension of size {dimSize}.");
                var d = y.AsSpan((o * dimSize + (int)dst) * inner, inner);
                System.Numerics.Tensors.TensorPrimitives.Add(d, src.AsSpan(srcOff + (o * count + j) * inner, inner), d);
            }
    }

    /// <summary>y[o, j, i] = x[o, index[o, j, i], i] (gather along the middle axis; index block is [outer, count, inner]).</summary>
    public static void Gather<T>(T[] x, int xOff, int outer, int dimSize, int inner, long[] index, int indexOff, int count, T[] y)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < count; j++)
                for (int i = 0; i < inner; i++)
                {
                    int p = (o * count + j) * inner + i;
                    long src = index[indexOff + p];
                    if ((ulong)src >= (ulong)dimSize) throw new IndexOutOfRangeException($"Gather index {src} out of range for a dimension of size {dimSize}.");
                    y[p] = x[xOff + (o * dimSize + (int)src) * inner + i];
                }
    }

    /// <summary>y[o, index[o, j, i], i] += src[o, j, i] (scatter_add along the middle axis).</summary>
    public static void ScatterAdd<T>(T[] y, int outer, int dimSize, int inner, long[] index, int indexOff, int count, T[] src, int srcOff)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < count; j++)
                for (int i = 0; i < inner; i++)
                {
                    int p = (o * count + j) * inner + i;
                    long dst = index[indexOff + p];
                    if ((ulong)dst >= (ulong)dimSize) throw new IndexOutOfRangeException($"Scatter index {dst} out of range for a dimension of size {dimSize}.");
                    y[(o * dimSize + (int)dst) * inner + i] += src[srcOff + p];
                }
    }
}
