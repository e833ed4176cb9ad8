using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Optim;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c> / <c>clip_grad_value_</c> in PyTorch 1.13.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their total norm (all
    /// gradients taken as one vector) is at most <paramref name="maxNorm"/>, and returns the total
    /// norm before clipping. Parameters without a gradient are ignored; with none, returns 0.
    /// </summary>
    /// <remarks>
    /// As PyTorch 1.13: the total norm is the <paramref name="normType"/>-norm of the per-gradient
    /// norms (the largest absolute element for +∞); every gradient is multiplied by
    /// <c>min(1, maxNorm / (total + 1e-6))</c>, also when that is 1, and a NaN or infinite norm is
    /// not an error (the gradients then become NaN or 0). The arithmetic follows PyTorch's CPU kernels
    /// in the gradients' type (see <see cref="Norm"/>), so float32 results match PyTorch bit for bit
    /// for 2- and ∞-norms, and for other norms of gradients up to 32768 elements.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN, or <paramref name="normType"/> is not positive.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2.0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be non-negative.");
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), normType, "normType must be positive (or +∞).");
        var owners = parameters.Where(p => p?.Grad is not null).ToList();
        if (owners.Count == 0) return 0;
        foreach (var p in owners)
            if (!p.Grad!.IsContiguous) p.Grad = p.Grad.Detach().Contiguous();
        bool float32 = owners.All(p => p.Grad!.DType == DType.Float32);
        bool inf = double.IsPositiveInfinity(normType);

        var norms = owners.Select(p => Norm(p.Grad!, normType)).ToArray();
        double total = inf
            ? norms.Aggregate(0.0, (m, n) => double.IsNaN(m) || double.IsNaN(n) ? double.NaN : Math.Max(m, n))
            : Norm(float32 ? Tensor.FromArray(Array.ConvertAll(norms, n => (float)n)) : Tensor.FromArray(norms), normType);

        if (float32)
        {
            float t = (float)total;
            float coef = MathF.Min(1f / (t + 1e-6f) * (float)maxNorm, 1f);
            foreach (var p in owners) Scale(p.Grad!.Span<float>(), coef);
            return t;
        }
        double c = Math.Min(1.0 / (total + 1e-6) * maxNorm, 1.0);
        foreach (var p in owners)
        {
            if (p.Grad!.DType == DType.Float32) Scale(p.Grad.Span<float>(), (float)c);
            else Scale(p.Grad.Span<double>(), c);
        }
        return total;
    }

    /// <summary>Clamps every gradient element of <paramref name="parameters"/> to [−clipValue, clipValue] in place (NaN stays NaN).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or NaN.</exception>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue must be non-negative.");
        foreach (var p in parameters)
        {
            if (p?.Grad is not { } g) continue;
            if (!g.IsContiguous) p.Grad = g = g.Detach().Contiguous();
            if (g.DType == DType.Float32) Clamp(g.Span<float>(), (float)clipValue);
            else Clamp(g.Span<double>(), clipValue);
        }
    }

    private static void Clamp<T>(Span<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Max(x, -c, x);
        TensorPrimitives.Min(x, c, x);
    }

    private static void Scale<T>(Span<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Multiply(x, c, x);

    /// <summary>
    /// The <paramref name="p"/>-norm of a contiguous float tensor, computed the way PyTorch 1.13's CPU
    /// <c>torch.norm</c> does (and rounded to the tensor's type): float32 2-norms use its single-pass
    /// 8-lane kernel, other norms a sequential accumulation in the tensor's type. Only float32
    /// p ∉ {2, ∞} norms of more than 32768 elements, where PyTorch's order depends on its thread
    /// count, are instead accumulated in float64 in blocks.
    /// </summary>
    internal static double Norm(Tensor g, double p)
    {
        if (g.DType == DType.Float32)
        {
            var x = g.Span<float>();
            if (double.IsPositiveInfinity(p)) return MaxAbs<float>(x);
            if (p == 2) return TorchFloatNorm2(x);
            if (x.Length <= TorchGrain) return SequentialNorm<float>(x, p);
            return (float)BlockedNorm(x, p);
        }
        var y = g.Span<double>();
        if (double.IsPositiveInfinity(p)) return MaxAbs<double>(y);
        return SequentialNorm<double>(y, p);
    }

    private const int TorchGrain = 32768;

    private static double MaxAbs<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x.IsEmpty ? 0 : double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(x)));

    /// <summary>
    /// PyTorch's float32 2-norm kernel: eight lane accumulators updated with fused multiply-adds over
    /// whole 8-element groups, lanes summed left to right, then the remaining elements added in order
    /// (plain multiply and add for the first four of them, fused for the rest, as its compiled code does).
    /// </summary>
    internal static float TorchFloatNorm2(ReadOnlySpan<float> x)
    {
        int n = x.Length, whole = n - n % 8;
        var acc = Vector256<float>.Zero;
        for (int i = 0; i < whole; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            acc = Vector256.FusedMultiplyAdd(v, v, acc);
        }
        float sum = acc[0];
        for (int j = 1; j < 8; j++) sum += acc[j];
        int plain = whole + (n - whole) / 4 * 4;
        for (int i = whole; i < plain; i++) sum += x[i] * x[i];
        for (int i = plain; i < n; i++) sum = MathF.FusedMultiplyAdd(x[i], x[i], sum);
        return MathF.Sqrt(sum);
    }

    /// <summary>PyTorch's generic norm reduction: Σ|x|ᵖ accumulated in order in <typeparamref name="T"/>, then the 1/p power.</summary>
    private static double SequentialNorm<T>(ReadOnlySpan<T> x, double p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T acc = T.Zero;
        if (p == 2)
        {
            foreach (var v in x) acc += v * v;
            return double.CreateTruncating(T.Sqrt(acc));
        }
        if (p == 1)
        {
            foreach (var v in x) acc += T.Abs(v);
            return double.CreateTruncating(acc);
        }
        T pt = T.CreateTruncating((float)p);   // PyTorch holds the order as a float
        foreach (var v in x) acc += T.Pow(T.Abs(v), pt);
        return double.CreateTruncating(T.Pow(acc, T.One / pt));
    }

    /// <summary>(Σ|x|ᵖ)^(1/p) accumulated in float64 over fixed blocks (thread-count independent).</summary>
    private static double BlockedNorm(ReadOnlySpan<float> x, double p)
    {
        const int block = 1 << 16;
        var data = x.ToArray();
        int blocks = (data.Length + block - 1) / block;
        var partial = new double[blocks];
        double pd = (float)p;
        Parallelism.For(blocks, 1, (s, e) =>
        {
            for (int b = s; b < e; b++)
            {
                double sum = 0;
                foreach (var v in data.AsSpan(b * block, Math.Min(block, data.Length - b * block)))
                    sum += pd == 1 ? Math.Abs(v) : Math.Pow(Math.Abs(v), pd);
                partial[b] = sum;
            }
        });
        double total = 0;
        foreach (var v in partial) total += v;
        return pd == 1 ? total : Math.Pow(total, 1 / pd);
    }
}
