namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// Signed 8-bit weights W[N, K] packed for <see cref="Int8Gemm"/>: blocks of 16 output rows, each block laid out as
/// [K4][16][4] (four consecutive k of one output next to each other, the layout of a widening 4-way byte dot product),
/// K padded with zeros to a multiple of 4 (<see cref="PaddedK"/>). Also keeps the per-output sums of the weights,
/// which the kernel needs to take an activation zero point out of the integer result.
/// </summary>
public sealed class PackedInt8Weights
{
    /// <summary>Output rows per packed block.</summary>
    public const int BlockRows = 16;

    /// <summary>Number of output rows (N).</summary>
    public int Rows { get; }

    /// <summary>Reduction length (K) before padding.</summary>
    public int Depth { get; }

    /// <summary>K rounded up to a multiple of 4: the row stride an activation matrix needs.</summary>
    public int PaddedK { get; }

    /// <summary>The packed bytes: ⌈N/16⌉ blocks of <see cref="PaddedK"/>·16 bytes.</summary>
    internal sbyte[] Data { get; }

    /// <summary>Σₖ W[n, k] for each output row n.</summary>
    public int[] RowSums { get; }

    /// <summary>Packs row-major <paramref name="weights"/> ([rows, depth], values in [−127, 127]).</summary>
    /// <exception cref="ArgumentException">The span is not rows·depth long or holds −128.</exception>
    public PackedInt8Weights(ReadOnlySpan<sbyte> weights, int rows, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        if (weights.Length != rows * depth)
            throw new ArgumentException($"Expected {rows}·{depth} = {rows * depth} weights, got {weights.Length}.", nameof(weights));
        Rows = rows;
        Depth = depth;
        PaddedK = Pad(depth);
        int blocks = (rows + BlockRows - 1) / BlockRows;
        Data = new sbyte[blocks * PaddedK * BlockRows];
        RowSums = new int[rows];
        for (int n = 0; n < rows; n++)
        {
            int block = n / BlockRows, lane = n % BlockRows, sum = 0;
            int baseOff = block * PaddedK * BlockRows + lane * 4;
            for (int k = 0; k < depth; k++)
            {
                sbyte v = weights[n * depth + k];
                if (v == sbyte.MinValue) throw new ArgumentException($"Weight [{n}, {k}] is −128; symmetric int8 weights use [−127, 127].", nameof(weights));
                Data[baseOff + (k >> 2) * BlockRows * 4 + (k & 3)] = v;
                sum += v;
            }
            RowSums[n] = sum;
        }
    }

    /// <summary><paramref name="depth"/> rounded up to a multiple of 4.</summary>
    public static int Pad(int depth) => (depth + 3) & ~3;

    /// <summary>The weight W[n, k] read back from the packed layout.</summary>
    public sbyte this[int n, int k] => Data[n / BlockRows * PaddedK * BlockRows + (k >> 2) * BlockRows * 4 + n % BlockRows * 4 + (k & 3)];
}
