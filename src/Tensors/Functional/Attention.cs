using System.Numerics;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

public static partial class F
{
    /// <summary>
    /// Scaled dot-product attention softmax(Q·Kᵀ·scale + mask)·V over the last two dims of
    /// query [..., L, E], key [..., S, E] and value [..., S, Ev] (same leading dims) → [..., L, Ev].
    /// Masks follow <c>torch.nn.MultiheadAttention</c>: an Int64 (boolean) mask is nonzero where attention
    /// is NOT allowed; a floating-point mask is added to the scores. Either broadcasts to [..., L, S].
    /// <paramref name="causal"/> masks key positions after the query position (j &gt; i). Masked positions
    /// get exactly zero weight and no gradient; a row with every position masked gives zeros (not NaN).
    /// Without dropout this is one fused primitive (per (batch, head) GEMMs and an in-place softmax).
    /// </summary>
    /// <param name="query">Queries [..., L, E].</param>
    /// <param name="key">Keys [..., S, E].</param>
    /// <param name="value">Values [..., S, Ev].</param>
    /// <param name="mask">Optional boolean (Int64, nonzero = masked) or additive float mask broadcastable to [..., L, S]; it gets no gradient.</param>
    /// <param name="dropout">Dropout probability on the attention weights (applied when &gt; 0, as torch's functional form does).</param>
    /// <param name="causal">Whether to mask future keys.</param>
    /// <param name="scale">Score scale; default 1/√E.</param>
    /// <param name="generator">Random source for dropout.</param>
    /// <exception cref="ArgumentException">Ranks, leading dims, feature sizes or the mask shape do not fit; the message names the argument.</exception>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? mask = null, double dropout = 0,
        bool causal = false, double? scale = null, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (dropout < 0 || dropout > 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout probability must be in [0, 1].");
        query.RequireFloat("ScaledDotProductAttention");
        if (query.Rank < 2) throw new ArgumentException($"query must have rank >= 2, got {ShapeUtil.Format(query.Dims)}.", nameof(query));
        if (key.Rank != query.Rank || !key.Shape[..^2].SequenceEqual(query.Shape[..^2]) || key.Dims[^1] != query.Dims[^1] || key.DType != query.DType)
            throw new ArgumentException($"key {ShapeUtil.Format(key.Dims)} does not fit query {ShapeUtil.Format(query.Dims)} (same leading dims and feature size).", nameof(key));
        if (value.Rank != query.Rank || !value.Shape[..^2].SequenceEqual(query.Shape[..^2]) || value.Dims[^2] != key.Dims[^2] || value.DType != query.DType)
            throw new ArgumentException($"value {ShapeUtil.Format(value.Dims)} does not fit key {ShapeUtil.Format(key.Dims)} (same leading dims and length).", nameof(value));
        int l = query.Dims[^2], s = key.Dims[^2], e = query.Dims[^1], ev = value.Dims[^1];
        var lead = query.Dims[..^2];
        int b = ShapeUtil.Numel(lead);
        Tensor To4(Tensor t) => t.Rank == 4 ? t : t.Reshape(b, 1, t.Dims[^2], t.Dims[^1]);
        Tensor? m4 = null;
        if (mask is not null)
        {
            var add = ToAdditiveMask(mask, query.DType);
            int[] full = [.. lead, l, s];
            if (!BroadcastsTo(add.Dims, full))
                throw new ArgumentException($"mask {ShapeUtil.Format(mask.Dims)} does not broadcast to {ShapeUtil.Format(full)}.", nameof(mask));
            var expanded = add.ExpandView(full);
            m4 = query.Rank == 4 ? expanded : expanded.Contiguous().Reshape(b, 1, l, s);
        }
        double sc = scale ?? 1 / Math.Sqrt(e);
        Tensor o4 = dropout > 0
            ? ComposedAttention(To4(query), To4(key), To4(value), m4, causal, sc, dropout, true, generator).Output
            : AttentionCore(To4(query), To4(key), To4(value), m4, causal, sc, [0, 1, 2, 3]);
        return query.Rank == 4 ? o4 : o4.Reshape([.. lead, l, ev]);
    }

    private static bool BroadcastsTo(int[] shape, int[] target)
    {
        if (shape.Length > target.Length) return false;
        for (int i = 1; i <= shape.Length; i++)
            if (shape[^i] != 1 && shape[^i] != target[^i]) return false;
        return true;
    }

    /// <summary>
    /// A boolean (Int64, nonzero = masked) mask as an additive one (−∞ where masked, 0 elsewhere), or a
    /// float mask converted to <paramref name="dtype"/>; detached either way.
    /// </summary>
    internal static Tensor ToAdditiveMask(Tensor mask, DType dtype)
    {
        if (mask.IsFloatingPoint) return mask.Detach().To(dtype);
        var bits = mask.ToArray<long>();
        var dims = mask.Shape.ToArray();
        if (dtype == DType.Float32)
            return Tensor.FromArray(Array.ConvertAll(bits, x => x != 0 ? float.NegativeInfinity : 0f), dims);
        return Tensor.FromArray(Array.ConvertAll(bits, x => x != 0 ? double.NegativeInfinity : 0.0), dims);
    }

    /// <summary>
    /// Attention composed of primitives (matmul, softmax, dropout), returning the weights too: used when
    /// the weights are wanted or dropout is on (the weights returned are after dropout, as in torch 1.13). q [N,H,L,E], k [N,H,S,E], v [N,H,S,Ev], mask additive, broadcastable.
    /// </summary>
    internal static (Tensor Output, Tensor Weights) ComposedAttention(Tensor q, Tensor k, Tensor v, Tensor? additiveMask, bool causal,
        double scale, double dropout, bool training, Generator? generator)
    {
        var scores = q.MatMul(k.Transpose(-1, -2)).Mul(scale);
        if (additiveMask is not null) scores = scores.Add(additiveMask);
        if (causal) scores = scores.Add(CausalMask(q.Dims[^2], k.Dims[^2], q.DType));
        var weights = Dropout(Softmax(scores, -1), dropout, training, generator);
        return (weights.MatMul(v), weights);
    }

    /// <summary>[L, S] additive mask: −∞ above the diagonal (key j &gt; query i), 0 elsewhere.</summary>
    /// <param name="queryLength">L.</param>
    /// <param name="keyLength">S.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    public static Tensor CausalMask(int queryLength, int keyLength, DType dtype = DType.Float32)
    {
        var t = Tensor.Zeros([queryLength, keyLength], DType.Float64);
        var data = t.Data<double>();
        for (int i = 0; i < queryLength; i++)
            for (int j = i + 1; j < keyLength; j++) data[i * keyLength + j] = double.NegativeInfinity;
        return t.To(dtype);
    }

    /// <summary>
    /// The fused attention primitive. q [N,H,L,E], k [N,H,S,E], v [N,H,S,Ev] (any strides with a unit last
    /// stride are read in place), mask additive and broadcastable to [N,H,L,S]. The output [N,H,L,Ev] is
    /// stored in the memory order <paramref name="outOrder"/> (outermost first; e.g. [0,2,1,3] stores
    /// [N,L,H,Ev], so merging heads is a free reshape). Gradients are laid out like their inputs.
    /// </summary>
    internal static Tensor AttentionCore(Tensor q, Tensor k, Tensor v, Tensor? additiveMask, bool causal, double scale, int[] outOrder)
    {
        int n = q.Dims[0], h = q.Dims[1], lq = q.Dims[2], d = q.Dims[3], lk = k.Dims[2], dv = v.Dims[3];
        var qd = Dense4(q); var kd = Dense4(k); var vd = Dense4(v);
        Tensor? md = additiveMask is null ? null : MaskView(additiveMask.Detach().ExpandView([n, h, lq, lk]));
        var o = EmptyInOrder([n, h, lq, dv], q.DType, outOrder);
        Array p;
        if (q.DType == DType.Float32)
        {
            var pf = GC.AllocateUninitializedArray<float>(n * h * lq * lk);
            AttentionKernels.Forward(n, h, lq, lk, d, dv, (float)scale, S4<float>(qd), S4<float>(kd), S4<float>(vd),
                md is null ? null : S4<float>(md), causal, pf, S4<float>(o));
            p = pf;
        }
        else
        {
            var pd = GC.AllocateUninitializedArray<double>(n * h * lq * lk);
            AttentionKernels.Forward(n, h, lq, lk, d, dv, scale, S4<double>(qd), S4<double>(kd), S4<double>(vd),
                md is null ? null : S4<double>(md), causal, pd, S4<double>(o));
            p = pd;
        }
        return Tensor.Record(o, "ScaledDotProductAttention", [q, k, v], g =>
        {
            var gd = Dense4(g);
            var dq = q.RequiresGrad ? EmptyLike(qd) : null;
            var dk = k.RequiresGrad ? EmptyLike(kd) : null;
            var dvT = v.RequiresGrad ? EmptyLike(vd) : null;
            if (q.DType == DType.Float32)
                AttentionKernels.Backward(n, h, lq, lk, d, dv, (float)scale, S4<float>(qd), S4<float>(kd), S4<float>(vd), (float[])p, S4<float>(gd),
                    dq is null ? null : S4<float>(dq), dk is null ? null : S4<float>(dk), dvT is null ? null : S4<float>(dvT));
            else
                AttentionKernels.Backward(n, h, lq, lk, d, dv, scale, S4<double>(qd), S4<double>(kd), S4<double>(vd), (double[])p, S4<double>(gd),
                    dq is null ? null : S4<double>(dq), dk is null ? null : S4<double>(dk), dvT is null ? null : S4<double>(dvT));
            return [dq, dk, dvT];
        });
    }

    /// <summary>A detached 4-D view whose last dim is dense and whose rows do not overlap, copying only when needed.</summary>
    private static Tensor Dense4(Tensor t)
    {
        var x = t.Detach();
        bool lastOk = x.Strides[3] == 1 || x.Dims[3] <= 1;
        bool rowsOk = x.Dims[2] <= 1 || x.Strides[2] >= x.Dims[3];
        return lastOk && rowsOk ? x : x.Contiguous();
    }

    /// <summary>The mask is only read row by row, so broadcast (stride-0) rows are fine; only the last dim must be dense.</summary>
    private static Tensor MaskView(Tensor m) => m.Strides[3] == 1 || m.Dims[3] <= 1 ? m : m.Contiguous();

    private static Strided4<T> S4<T>(Tensor t) where T : unmanaged, INumber<T> =>
        new(t.Arr<T>(), t.Offset, t.Strides[0], t.Strides[1], t.Dims[2] <= 1 ? Math.Max(t.Dims[3], 1) : t.Strides[2]);

    /// <summary>An uninitialized dense tensor of <paramref name="dims"/> stored in memory order <paramref name="order"/> (outermost first).</summary>
    private static Tensor EmptyInOrder(int[] dims, DType dtype, int[] order)
    {
        var stored = Tensor.Uninitialized([.. order.Select(i => dims[i])], dtype);
        var inverse = new int[order.Length];
        for (int i = 0; i < order.Length; i++) inverse[order[i]] = i;
        return stored.Permute(inverse);
    }

    /// <summary>An uninitialized dense tensor with the same dim order in memory as <paramref name="t"/> (by decreasing stride).</summary>
    private static Tensor EmptyLike(Tensor t)
    {
        var order = Enumerable.Range(0, t.Rank).OrderByDescending(i => t.Dims[i] == 1 ? int.MaxValue : t.Strides[i]).ThenBy(i => i).ToArray();
        if (order[^1] != t.Rank - 1) order = [.. order.Where(i => i != t.Rank - 1), t.Rank - 1];
        return EmptyInOrder(t.Shape.ToArray(), t.DType, order);
    }
}
