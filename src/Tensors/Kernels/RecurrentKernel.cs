using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>Which recurrence a <see cref="RecurrentKernel{T}"/> runs.</summary>
internal enum RecurrentCellKind
{
    /// <summary>h' = tanh(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnTanh,
    /// <summary>h' = relu(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnRelu,
    /// <summary>Gates i, f, g, o; c' = f⊙c + i⊙g, h' = o⊙tanh(c').</summary>
    Lstm,
    /// <summary>Gates r, z, n; n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h' = (1−z)⊙n + z⊙h.</summary>
    Gru,
}

/// <summary>Facts about a <see cref="RecurrentCellKind"/>.</summary>
internal static class RecurrentCellKindExtensions
{
    /// <summary>Gate blocks in W_ih / W_hh / the biases: 4 for LSTM, 3 for GRU, 1 for a plain RNN.</summary>
    public static int GateCount(this RecurrentCellKind kind) => kind switch { RecurrentCellKind.Lstm => 4, RecurrentCellKind.Gru => 3, _ => 1 };
}

/// <summary>
/// One direction of one recurrent layer as a single fused operation, forward and hand-written backward.
/// Shapes: x [T, B, In] (time-major, dense), states [B, H], W_ih [G·H, In], W_hh [G·H, H], biases [G·H],
/// LSTM peepholes [3, H] (i, f, o). Sequence b is valid for times t &lt; lengths[b]; at other steps its
/// state is carried unchanged, its output is zero and it receives no gradient (packed-sequence semantics).
/// The reverse direction walks t = T−1 … 0, so a short sequence starts from h0 at its own last step.
/// </summary>
/// <remarks>
/// Forward: the input projection of all steps is one GEMM (x[T·B, In]·W_ihᵀ → [T·B, G·H], both biases
/// folded in), then per step one GEMM h·W_hhᵀ accumulated onto that step's rows and a fused gate kernel
/// that overwrites the pre-activations with the activations (kept for backward). Backward walks the
/// steps in reverse with one GEMM per step for dh·W_hh; the weight gradients are single GEMMs over the
/// stacked per-step gate gradients (dW_ih = dGᵀ·X, dW_hh = dGᵀ·H_prev, dX = dG·W_ih).
/// </remarks>
internal sealed partial class RecurrentKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RecurrentCellKind _kind;
    private readonly int _steps, _batch, _input, _hidden, _gates;
    private readonly bool _reverse;
    private readonly int[] _lengths;
    private readonly int _truncate;
    private readonly bool _hasBias, _hasPeephole;

    // Saved by Forward for Backward.
    private T[] _x = [];
    private int _xOff;
    private T[] _wih = [], _whh = [], _peep = [];
    private int _wihOff, _whhOff, _peepOff;
    private T[] _acts = [];      // [T, B, G·H]: gate activations per step
    private T[] _hPrev = [];     // [T, B, H]: state before step t
    private T[] _cPrev = [];     // LSTM: [T, B, H] cell before step t
    private T[] _cNew = [];      // LSTM: [T, B, H] cell computed at step t
    private T[] _tanhC = [];     // LSTM: [T, B, H] tanh of that cell
    private T[] _hProj = [];     // GRU: [T, B, 3H] W_hh h + b_hh

    public RecurrentKernel(RecurrentCellKind kind, int steps, int batch, int input, int hidden, bool reverse,
        int[] lengths, int truncate, bool hasBias, bool hasPeephole)
    {
        _kind = kind;
        _steps = steps;
        _batch = batch;
        _input = input;
        _hidden = hidden;
        _gates = kind.GateCount();
        _reverse = reverse;
        _lengths = lengths;
        _truncate = truncate;
        _hasBias = hasBias;
        _hasPeephole = hasPeephole;
    }

    /// <summary>Number of state slices after the outputs in the result: 2 for LSTM (h, c), else 1.</summary>
    public int StateCount => _kind == RecurrentCellKind.Lstm ? 2 : 1;

    private int Gh => _gates * _hidden;

    private int TimeAt(int s) => _reverse ? _steps - 1 - s : s;

    /// <summary>
    /// Runs the layer. Returns [T + StateCount, B, H]: outputs for every step, then the final h (and c).
    /// Array arguments are (storage, offset) of dense row-major data; biases and peepholes may be null.
    /// </summary>
    public T[] Forward(T[] x, int xOff, T[] h0, int h0Off, T[]? c0, int c0Off, T[] wih, int wihOff, T[] whh, int whhOff,
        T[]? bih, int bihOff, T[]? bhh, int bhhOff, T[]? peep, int peepOff)
    {
        int T_ = _steps, B = _batch, H = _hidden, G = Gh, BH = B * H;
        (_x, _xOff, _wih, _wihOff, _whh, _whhOff) = (x, xOff, wih, wihOff, whh, whhOff);
        if (peep != null) (_peep, _peepOff) = (peep, peepOff);
        var y = new T[(T_ + StateCount) * BH];
        bool lstm = _kind == RecurrentCellKind.Lstm, gru = _kind == RecurrentCellKind.Gru;

        // Input projection of every step at once, biases folded in (GRU keeps b_hh with the h side).
        _acts = GC.AllocateUninitializedArray<T>(T_ * B * G);
        if (_hasBias)
        {
            var bias = new T[G];
            bih.AsSpan(bihOff, G).CopyTo(bias);
            if (!gru) TensorPrimitives.Add(bias, bhh.AsSpan(bhhOff, G), bias);
            for (int r = 0; r < T_ * B; r++) bias.CopyTo(_acts.AsSpan(r * G, G));
        }
        RecurrentGemm.Run(false, true, T_ * B, G, _input, x, xOff, _input, wih, wihOff, _input, _hasBias, _acts, 0, G);

        var h = new T[BH];
        h0.AsSpan(h0Off, BH).CopyTo(h);
        var c = lstm ? new T[BH] : [];
        if (lstm) c0.AsSpan(c0Off, BH).CopyTo(c);
        _hPrev = GC.AllocateUninitializedArray<T>(T_ * BH);
        if (lstm) { _cPrev = GC.AllocateUninitializedArray<T>(T_ * BH); _cNew = GC.AllocateUninitializedArray<T>(T_ * BH); _tanhC = GC.AllocateUninitializedArray<T>(T_ * BH); }
        if (gru) _hProj = GC.AllocateUninitializedArray<T>(T_ * B * G);

        for (int s = 0; s < T_; s++)
        {
            int t = TimeAt(s);
            h.CopyTo(_hPrev.AsSpan(t * BH, BH));
            if (lstm) c.CopyTo(_cPrev.AsSpan(t * BH, BH));
            if (gru)
            {
                if (_hasBias) for (int b = 0; b < B; b++) bhh.AsSpan(bhhOff, G).CopyTo(_hProj.AsSpan((t * B + b) * G, G));
                RecurrentGemm.Run(false, true, B, G, H, h, 0, H, whh, whhOff, H, _hasBias, _hProj, t * B * G, G);
            }
            else
                RecurrentGemm.Run(false, true, B, G, H, h, 0, H, whh, whhOff, H, true, _acts, t * B * G, G);
            int tt = t;
            Parallelism.For(B, Math.Max(1, 16384 / Math.Max(1, G)), (b0, b1) =>
            {
                var tmp = new T[H];
                for (int b = b0; b < b1; b++) StepRow(tt, b, h, c, y, tmp);
            });
        }
        h.CopyTo(y.AsSpan(T_ * BH, BH));
        if (lstm) c.CopyTo(y.AsSpan((T_ + 1) * BH, BH));
        return y;
    }

    /// <summary>The fused gate kernel for row b of step t: activations in place, state and output update.</summary>
    private void StepRow(int t, int b, T[] hState, T[] cState, T[] y, T[] tmp)
    {
        int H = _hidden, G = Gh;
        bool active = t < _lengths[b];
        var acts = _acts.AsSpan((t * _batch + b) * G, G);
        var h = hState.AsSpan(b * H, H);
        var outRow = y.AsSpan((t * _batch + b) * H, H);
        switch (_kind)
        {
            case RecurrentCellKind.RnnTanh:
            case RecurrentCellKind.RnnRelu:
                if (_kind == RecurrentCellKind.RnnTanh) TensorPrimitives.Tanh(acts, acts);
                else TensorPrimitives.Max(acts, T.Zero, acts);
                if (active) acts.CopyTo(h);
                break;
            case RecurrentCellKind.Lstm:
            {
                var c = cState.AsSpan(b * H, H);
                var i = acts[..H];
                var f = acts.Slice(H, H);
                var g = acts.Slice(2 * H, H);
                var o = acts.Slice(3 * H, H);
                if (_hasPeephole)
                {
                    TensorPrimitives.FusedMultiplyAdd(_peep.AsSpan(_peepOff, H), c, i, i);
                    TensorPrimitives.FusedMultiplyAdd(_peep.AsSpan(_peepOff + H, H), c, f, f);
                }
                TensorPrimitives.Sigmoid(i, i);
                TensorPrimitives.Sigmoid(f, f);
                TensorPrimitives.Tanh(g, g);
                var cn = _cNew.AsSpan((t * _batch + b) * H, H);
                TensorPrimitives.Multiply(f, c, cn);
                TensorPrimitives.FusedMultiplyAdd(i, g, cn, cn);
                if (_hasPeephole) TensorPrimitives.FusedMultiplyAdd(_peep.AsSpan(_peepOff + 2 * H, H), cn, o, o);
                TensorPrimitives.Sigmoid(o, o);
                if (active)
                {
                    var tc = _tanhC.AsSpan((t * _batch + b) * H, H);
                    TensorPrimitives.Tanh(cn, tc);
                    TensorPrimitives.Multiply(o, tc, h);
                    cn.CopyTo(c);
                }
                break;
            }
            default: // GRU
            {
                var hp = _hProj.AsSpan((t * _batch + b) * G, G);
                var r = acts[..H];
                var z = acts.Slice(H, H);
                var n = acts.Slice(2 * H, H);
                TensorPrimitives.Add(r, hp[..H], r);
                TensorPrimitives.Sigmoid(r, r);
                TensorPrimitives.Add(z, hp.Slice(H, H), z);
                TensorPrimitives.Sigmoid(z, z);
                TensorPrimitives.FusedMultiplyAdd(r, hp.Slice(2 * H, H), n, n);
                TensorPrimitives.Tanh(n, n);
                if (active)
                {
                    // h' = n + z⊙(h − n)
                    TensorPrimitives.Subtract(h, n, tmp);
                    TensorPrimitives.FusedMultiplyAdd(z, tmp, n, h);
                }
                break;
            }
        }
        if (active) h.CopyTo(outRow);
        else outRow.Clear();
    }
}

/// <summary>GEMM on (array, offset) operands of either float precision.</summary>
internal static unsafe class RecurrentGemm
{
    /// <summary>C = op(A)·op(B) (+ C when <paramref name="accumulate"/>).</summary>
    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T[] a, int aOff, int lda, T[] b, int bOff, int ldb,
        bool accumulate, T[] c, int cOff, int ldc) where T : unmanaged
    {
        if (m <= 0 || n <= 0) return;
        if (typeof(T) == typeof(float))
        {
            fixed (float* pa = Unsafe.As<float[]>(a), pb = Unsafe.As<float[]>(b), pc = Unsafe.As<float[]>(c))
                Gemm.Sgemm(transA, transB, m, n, k, 1f, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1f : 0f, pc + cOff, ldc);
        }
        else
        {
            fixed (double* pa = Unsafe.As<double[]>(a), pb = Unsafe.As<double[]>(b), pc = Unsafe.As<double[]>(c))
                Gemm.Dgemm(transA, transB, m, n, k, 1.0, pa + aOff, lda, pb + bOff, ldb, accumulate ? 1.0 : 0.0, pc + cOff, ldc);
        }
    }
}
