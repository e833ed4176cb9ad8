using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetDeep.Tensors.Kernels;

/// <summary>
/// The int8 inner kernel: a tile of up to 4 activation rows × 16 outputs, int32 sums over K of u8·s8 products, from
/// one packed weight block (<see cref="PackedInt8Weights"/>). Four k at a time: each activation row broadcasts 4 bytes,
/// a u8×s8 multiply-add of adjacent pairs gives int16 pair sums and a second multiply-add by ones gives int32 sums of 4.
/// The pair sums are exact while activations stay in [0, 127] (|127·127·2| &lt; 2¹⁵), the range
/// <see cref="Int8Quantization"/> produces; the scalar path is exact for any byte.
/// </summary>
internal static unsafe class Int8GemmMicroKernel
{
    public const int MR = 4, NR = PackedInt8Weights.BlockRows;

    /// <summary>tile[r·16 + j] = Σₖ a_r[k]·w[j, k] for r &lt; 4 (a0..a3 are row pointers, padded to 4·k4 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int k4, byte* a0, byte* a1, byte* a2, byte* a3, sbyte* w, int* tile)
    {
        if (Avx512BW.IsSupported) Tile512(k4, a0, a1, a2, a3, w, tile);
        else if (Avx2.IsSupported) Tile256(k4, a0, a1, a2, a3, w, tile);
        else TileScalar(k4, a0, a1, a2, a3, w, tile);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot4(Vector512<int> acc, byte* a, Vector512<sbyte> wv, Vector512<short> ones) =>
        acc + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Vector512.Create(Unsafe.ReadUnaligned<int>(a)).AsByte(), wv), ones);

    private static void Tile512(int k4, byte* a0, byte* a1, byte* a2, byte* a3, sbyte* w, int* tile)
    {
        var ones = Vector512.Create((short)1);
        Vector512<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int q = 0; q < k4; q++)
        {
            var wv = Vector512.Load(w + q * 64);
            int o = q * 4;
            c0 = Dot4(c0, a0 + o, wv, ones);
            c1 = Dot4(c1, a1 + o, wv, ones);
            c2 = Dot4(c2, a2 + o, wv, ones);
            c3 = Dot4(c3, a3 + o, wv, ones);
        }
        c0.Store(tile); c1.Store(tile + 16); c2.Store(tile + 32); c3.Store(tile + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot4(Vector256<int> acc, Vector256<byte> a, Vector256<sbyte> wv, Vector256<short> ones) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(a, wv), ones));

    private static void Tile256(int k4, byte* a0, byte* a1, byte* a2, byte* a3, sbyte* w, int* tile)
    {
        var ones = Vector256.Create((short)1);
        Vector256<int> c0l = default, c0h = default, c1l = default, c1h = default, c2l = default, c2h = default, c3l = default, c3h = default;
        for (int q = 0; q < k4; q++)
        {
            var wl = Vector256.Load(w + q * 64);
            var wh = Vector256.Load(w + q * 64 + 32);
            int o = q * 4;
            var b0 = Vector256.Create(Unsafe.ReadUnaligned<int>(a0 + o)).AsByte();
            var b1 = Vector256.Create(Unsafe.ReadUnaligned<int>(a1 + o)).AsByte();
            var b2 = Vector256.Create(Unsafe.ReadUnaligned<int>(a2 + o)).AsByte();
            var b3 = Vector256.Create(Unsafe.ReadUnaligned<int>(a3 + o)).AsByte();
            c0l = Dot4(c0l, b0, wl, ones); c0h = Dot4(c0h, b0, wh, ones);
            c1l = Dot4(c1l, b1, wl, ones); c1h = Dot4(c1h, b1, wh, ones);
            c2l = Dot4(c2l, b2, wl, ones); c2h = Dot4(c2h, b2, wh, ones);
            c3l = Dot4(c3l, b3, wl, ones); c3h = Dot4(c3h, b3, wh, ones);
        }
        c0l.Store(tile); c0h.Store(tile + 8);
        c1l.Store(tile + 16); c1h.Store(tile + 24);
        c2l.Store(tile + 32); c2h.Store(tile + 40);
        c3l.Store(tile + 48); c3h.Store(tile + 56);
    }

    private static void TileScalar(int k4, byte* a0, byte* a1, byte* a2, byte* a3, sbyte* w, int* tile)
    {
        byte** rows = stackalloc byte*[MR] { a0, a1, a2, a3 };
        for (int r = 0; r < MR; r++)
        {
            byte* a = rows[r];
            for (int j = 0; j < NR; j++)
            {
                int sum = 0;
                for (int q = 0; q < k4; q++)
                {
                    sbyte* wq = w + q * 64 + j * 4;
                    byte* aq = a + q * 4;
                    sum += aq[0] * wq[0] + aq[1] * wq[1] + aq[2] * wq[2] + aq[3] * wq[3];
                }
                tile[r * NR + j] = sum;
            }
        }
    }
}
