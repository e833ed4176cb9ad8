namespace MLNetDeep.Tensors;

public static partial class F
{
    /// <summary>(height, width) from a one- or two-element array.</summary>
    private static (int H, int W) Pair(int[]? v, string name, int fallback)
    {
        if (v == null || v.Length == 0) return (fallback, fallback);
        return v.Length switch
        {
            1 => (v[0], v[0]),
            2 => (v[0], v[1]),
            _ => throw new ArgumentException($"{name} needs 1 or 2 values, got {v.Length}.", name),
        };
    }

    /// <summary>(top, left, bottom, right) from 1 value, 2 values (symmetric height, width) or 4 values (ONNX order top, left, bottom, right).</summary>
    private static (int T, int L, int B, int R) Pads(int[]? v, string name)
    {
        if (v == null || v.Length == 0) return (0, 0, 0, 0);
        var p = v.Length switch
        {
            1 => (v[0], v[0], v[0], v[0]),
            2 => (v[0], v[1], v[0], v[1]),
            4 => (v[0], v[1], v[2], v[3]),
            _ => throw new ArgumentException($"{name} needs 1, 2 or 4 values (top, left, bottom, right), got {v.Length}.", name),
        };
        if (p.Item1 < 0 || p.Item2 < 0 || p.Item3 < 0 || p.Item4 < 0) throw new ArgumentOutOfRangeException(name, $"{name} must be non-negative.");
        return p;
    }

    private static void Positive(int a, int b, string name)
    {
        if (a < 1 || b < 1) throw new ArgumentOutOfRangeException(name, $"{name} must be positive, got ({a}, {b}).");
    }

    /// <summary>Applies a 4-D op to a 3-D (unbatched [C, H, W]) input by adding and removing the batch dim.</summary>
    private static Tensor Batched(Tensor input, string op, Func<Tensor, Tensor> f)
    {
        if (input.Rank == 4) return f(input);
        if (input.Rank == 3) return f(input.Unsqueeze(0)).Squeeze(0);
        throw new ArgumentException($"{op} needs a 4-D [N, C, H, W] (or 3-D [C, H, W]) input, got shape {ShapeUtil.Format(input.Shape.ToArray())}.", nameof(input));
    }
}
