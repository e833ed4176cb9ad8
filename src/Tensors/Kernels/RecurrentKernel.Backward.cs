using System.Numerics;
using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Kernels;

internal sealed partial class RecurrentKernel<T>
{
    /// <summary>Gradients of one layer direction; null where the operand does not exist.</summary>
    public sealed record Gradients(T[] Input, T[] H0, T[]? C0, T[] WeightIh, T[] WeightHh, T[]? BiasIh, T[]? BiasHh, T[]? Peephole);

    /// <summary>
    /// Backward of <see cref="Forward"/> given dY, the gradient of its [T + StateCount, B, H] result.
    /// With truncation k &gt; 0 the gradient carried into the state is cut after every k processing steps:
    /// step s (0-based, in processing order) passes no gradient to the state it started from when s is a
    /// positive multiple of k, exactly as if that state had been detached.
    /// </summary>
    public Gradients Backward(T[] dy, int dyOff)
    {
        int T_ = _steps, B = _batch, H = _hidden, G = Gh, BH = B * H;
        bool lstm = _kind == RecurrentCellKind.Lstm, gru = _kind == RecurrentCellKind.Gru;
        var dG = new T[T_ * B * G];
        var dGh = gru ? new T[T_ * B * G] : dG;
        var dh = new T[BH];
        var dhNext = new T[BH];
        dy.AsSpan(dyOff + T_ * BH, BH).CopyTo(dh);
        var dc = lstm ? new T[BH] : [];
        if (lstm) dy.AsSpan(dyOff + (T_ + 1) * BH, BH).CopyTo(dc);

        for (int s = T_ - 1; s >= 0; s--)
        {
            int t = TimeAt(s);
            var (dhCur, dhOut) = (dh, dhNext);
            Parallelism.For(B, Math.Max(1, 16384 / Math.Max(1, G)), (b0, b1) =>
            {
                var tmp = new T[H];
                for (int b = b0; b < b1; b++) BackRow(t, b, dy, dyOff, dhCur, dc, dhOut, dG, dGh, tmp);
            });
            RecurrentGemm.Run(false, false, B, H, G, dGh, t * B * G, G, _whh, _whhOff, H, true, dhNext, 0, H);
            (dh, dhNext) = (dhNext, dh);
            if (_truncate > 0 && s > 0 && s % _truncate == 0)
            {
                Array.Clear(dh);
                if (lstm) Array.Clear(dc);
            }
        }

        int rows = T_ * B;
        var dx = new T[rows * _input];
        RecurrentGemm.Run(false, false, rows, _input, G, dG, 0, G, _wih, _wihOff, _input, false, dx, 0, _input);
        var dwih = new T[G * _input];
        RecurrentGemm.Run(true, false, G, _input, rows, dG, 0, G, _x, _xOff, _input, false, dwih, 0, _input);
        var dwhh = new T[G * H];
        RecurrentGemm.Run(true, false, G, H, rows, dGh, 0, G, _hPrev, 0, H, false, dwhh, 0, H);
        T[]? dbih = null, dbhh = null;
        if (_hasBias)
        {
            dbih = ColumnSums(dG, rows, G);
            dbhh = gru ? ColumnSums(dGh, rows, G) : (T[])dbih.Clone();
        }
        T[]? dpeep = _hasPeephole ? PeepholeGradient(dG) : null;
        return new Gradients(dx, dh, lstm ? dc : null, dwih, dwhh, dbih, dbhh, dpeep);
    }

    private static T[] ColumnSums(T[] m, int rows, int cols)
    {
        var sum = new T[cols];
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sum, m.AsSpan(r * cols, cols), sum);
        return sum;
    }

    /// <summary>dp_i = Σ di_pre⊙c_prev, dp_f = Σ df_pre⊙c_prev, dp_o = Σ do_pre⊙c_new over steps and rows.</summary>
    private T[] PeepholeGradient(T[] dG)
    {
        int H = _hidden, G = Gh;
        var dp = new T[3 * H];
        var tmp = new T[H];
        for (int r = 0; r < _steps * _batch; r++)
        {
            var row = dG.AsSpan(r * G, G);
            var cp = _cPrev.AsSpan(r * H, H);
            TensorPrimitives.FusedMultiplyAdd(row[..H], cp, dp.AsSpan(0, H), dp.AsSpan(0, H));
            TensorPrimitives.FusedMultiplyAdd(row.Slice(H, H), cp, dp.AsSpan(H, H), dp.AsSpan(H, H));
            TensorPrimitives.FusedMultiplyAdd(row.Slice(3 * H, H), _cNew.AsSpan(r * H, H), dp.AsSpan(2 * H, H), dp.AsSpan(2 * H, H));
        }
        return dp;
    }

    /// <summary>
    /// Row b of step t: gate gradients (pre-activation) into dG/dGh, the part of dh_prev that does not go
    /// through W_hh into dhOut (the GEMM adds the rest), and dc_prev in place for LSTM.
    /// </summary>
    private void BackRow(int t, int b, T[] dy, int dyOff, T[] dhIn, T[] dcState, T[] dhOut, T[] dG, T[] dGh, T[] tmp)
    {
        int H = _hidden, G = Gh;
        var dhRow = dhIn.AsSpan(b * H, H);
        var outRow = dhOut.AsSpan(b * H, H);
        if (t >= _lengths[b])
        {
            dhRow.CopyTo(outRow); // padded step: the state passes through untouched
            return;
        }
        var dht = tmp.AsSpan();
        TensorPrimitives.Add(dhRow, dy.AsSpan(dyOff + (t * _batch + b) * H, H), dht);
        int row = t * _batch + b;
        var acts = _acts.AsSpan(row * G, G);
        var dg = dG.AsSpan(row * G, G);
        switch (_kind)
        {
            case RecurrentCellKind.RnnTanh:
                TensorPrimitives.Multiply(acts, acts, dg);
                TensorPrimitives.Subtract(T.One, dg, dg);
                TensorPrimitives.Multiply(dht, dg, dg);
                outRow.Clear();
                break;
            case RecurrentCellKind.RnnRelu:
                for (int j = 0; j < H; j++) dg[j] = acts[j] > T.Zero ? dht[j] : T.Zero;
                outRow.Clear();
                break;
            case RecurrentCellKind.Lstm:
                LstmBackRow(row, dht, acts, dg, dcState.AsSpan(b * H, H));
                outRow.Clear();
                break;
            default:
                GruBackRow(row, dht, acts, dg, dGh.AsSpan(row * G, G), outRow);
                break;
        }
    }

    /// <summary>
    /// LSTM row (SIMD): from dh (dht) and the carried dc, the pre-activation gradients of i, f, g, o into dg
    /// and dc_prev in place; peepholes add p_o⊙do to dc and p_i⊙di + p_f⊙df to dc_prev.
    /// </summary>
    private void LstmBackRow(int row, Span<T> dht, Span<T> acts, Span<T> dg, Span<T> dc)
    {
        int H = _hidden;
        var cp = _cPrev.AsSpan(row * H, H);
        var tcs = _tanhC.AsSpan(row * H, H);
        bool peep = _hasPeephole;
        var p = peep ? _peep.AsSpan(_peepOff, 3 * H) : default;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var ones = Vector<T>.One;
            for (; j <= H - Vector<T>.Count; j += Vector<T>.Count)
            {
                var i = new Vector<T>(acts[j..]);
                var f = new Vector<T>(acts[(H + j)..]);
                var g = new Vector<T>(acts[(2 * H + j)..]);
                var o = new Vector<T>(acts[(3 * H + j)..]);
                var tc = new Vector<T>(tcs[j..]);
                var d = new Vector<T>(dht[j..]);
                var doPre = d * tc * o * (ones - o);
                var dct = new Vector<T>(dc[j..]) + d * o * (ones - tc * tc);
                if (peep) dct += doPre * new Vector<T>(p[(2 * H + j)..]);
                var diPre = dct * g * i * (ones - i);
                var dfPre = dct * new Vector<T>(cp[j..]) * f * (ones - f);
                diPre.CopyTo(dg[j..]);
                dfPre.CopyTo(dg[(H + j)..]);
                (dct * i * (ones - g * g)).CopyTo(dg[(2 * H + j)..]);
                doPre.CopyTo(dg[(3 * H + j)..]);
                var dcPrev = dct * f;
                if (peep) dcPrev += diPre * new Vector<T>(p[j..]) + dfPre * new Vector<T>(p[(H + j)..]);
                dcPrev.CopyTo(dc[j..]);
            }
        }
        T one = T.One;
        for (; j < H; j++)
        {
            T i = acts[j], f = acts[H + j], g = acts[2 * H + j], o = acts[3 * H + j], tc = tcs[j], d = dht[j];
            T doPre = d * tc * o * (one - o);
            T dct = dc[j] + d * o * (one - tc * tc);
            if (peep) dct += doPre * p[2 * H + j];
            T diPre = dct * g * i * (one - i);
            T dfPre = dct * cp[j] * f * (one - f);
            dg[j] = diPre;
            dg[H + j] = dfPre;
            dg[2 * H + j] = dct * i * (one - g * g);
            dg[3 * H + j] = doPre;
            T dcPrev = dct * f;
            if (peep) dcPrev += diPre * p[j] + dfPre * p[H + j];
            dc[j] = dcPrev;
        }
    }

    /// <summary>GRU row: vectorized, since it is the benchmarked path.</summary>
    private void GruBackRow(int row, Span<T> dht, Span<T> acts, Span<T> dg, Span<T> dgh, Span<T> dhOut)
    {
        int H = _hidden, G = Gh;
        var r = acts[..H];
        var z = acts.Slice(H, H);
        var n = acts.Slice(2 * H, H);
        var hpn = _hProj.AsSpan(row * G + 2 * H, H);
        var hp = _hPrev.AsSpan(row * H, H);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var ones = Vector<T>.One;
            for (; j <= H - Vector<T>.Count; j += Vector<T>.Count)
            {
                var vd = new Vector<T>(dht[j..]);
                var vr = new Vector<T>(r[j..]);
                var vz = new Vector<T>(z[j..]);
                var vn = new Vector<T>(n[j..]);
                var dnPre = vd * (ones - vz) * (ones - vn * vn);
                var dzPre = vd * (new Vector<T>(hp[j..]) - vn) * vz * (ones - vz);
                var vhpn = new Vector<T>(hpn[j..]);
                var drPre = dnPre * vhpn * vr * (ones - vr);
                drPre.CopyTo(dg[j..]);
                dzPre.CopyTo(dg[(H + j)..]);
                dnPre.CopyTo(dg[(2 * H + j)..]);
                drPre.CopyTo(dgh[j..]);
                dzPre.CopyTo(dgh[(H + j)..]);
                (dnPre * vr).CopyTo(dgh[(2 * H + j)..]);
                (vd * vz).CopyTo(dhOut[j..]);
            }
        }
        T one = T.One;
        for (; j < H; j++)
        {
            T d = dht[j], rr = r[j], zz = z[j], nn = n[j];
            T dnPre = d * (one - zz) * (one - nn * nn);
            T dzPre = d * (hp[j] - nn) * zz * (one - zz);
            T drPre = dnPre * hpn[j] * rr * (one - rr);
            dg[j] = drPre; dg[H + j] = dzPre; dg[2 * H + j] = dnPre;
            dgh[j] = drPre; dgh[H + j] = dzPre; dgh[2 * H + j] = dnPre * rr;
            dhOut[j] = d * zz;
        }
    }
}
