using System.Numerics;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

public static partial class F
{
    /// <summary>
    /// One direction of one recurrent layer as a single autograd primitive (fused kernel with a hand-written
    /// backward, see <see cref="RecurrentKernel{T}"/>). x is [T, B, In]; h0 (and c0) [B, H]; weights in
    /// torch.nn layout. Returns [T + S, B, H]: the outputs, then the final h (and for LSTM c), S = 1 or 2.
    /// </summary>
    internal static Tensor RecurrentLayer(RecurrentCellKind kind, Tensor x, Tensor h0, Tensor? c0,
        Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh, Tensor? peephole,
        int[]? lengths, bool reverse, int truncate)
    {
        int steps = x.Size(0), batch = x.Size(1), input = x.Size(2), hidden = weightHh.Size(1);
        var lens = lengths ?? Enumerable.Repeat(steps, batch).ToArray();
        var inputs = new List<Tensor> { x, h0 };
        if (c0 != null) inputs.Add(c0);
        inputs.Add(weightIh);
        inputs.Add(weightHh);
        if (biasIh != null) { inputs.Add(biasIh); inputs.Add(biasHh!); }
        if (peephole != null) inputs.Add(peephole);
        return x.DType == DType.Float32
            ? Run<float>(kind, steps, batch, input, hidden, lens, reverse, truncate, inputs.ToArray(), c0 != null, biasIh != null, peephole != null)
            : Run<double>(kind, steps, batch, input, hidden, lens, reverse, truncate, inputs.ToArray(), c0 != null, biasIh != null, peephole != null);
    }

    private static Tensor Run<T>(RecurrentCellKind kind, int steps, int batch, int input, int hidden, int[] lengths,
        bool reverse, int truncate, Tensor[] inputs, bool hasC, bool hasBias, bool hasPeephole)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernel = new RecurrentKernel<T>(kind, steps, batch, input, hidden, reverse, lengths, truncate, hasBias, hasPeephole);
        var dense = inputs.Select(t => t.Detach().Contiguous()).ToArray();
        int k = 0;
        var x = dense[k++];
        var h0 = dense[k++];
        var c0 = hasC ? dense[k++] : null;
        var wih = dense[k++];
        var whh = dense[k++];
        var bih = hasBias ? dense[k++] : null;
        var bhh = hasBias ? dense[k++] : null;
        var peep = hasPeephole ? dense[k++] : null;
        var y = kernel.Forward(x.Arr<T>(), x.Offset, h0.Arr<T>(), h0.Offset, c0?.Arr<T>(), c0?.Offset ?? 0,
            wih.Arr<T>(), wih.Offset, whh.Arr<T>(), whh.Offset, bih?.Arr<T>(), bih?.Offset ?? 0, bhh?.Arr<T>(), bhh?.Offset ?? 0,
            peep?.Arr<T>(), peep?.Offset ?? 0);
        var result = Tensor.Wrap(y, [steps + kernel.StateCount, batch, hidden], inputs[0].DType);
        string name = kind switch { RecurrentCellKind.Lstm => "Lstm", RecurrentCellKind.Gru => "Gru", _ => "Rnn" };
        return Tensor.Record(result, name, inputs, g =>
        {
            var gd = g.Contiguous();
            var grads = kernel.Backward(gd.Arr<T>(), gd.Offset);
            var dtype = inputs[0].DType;
            Tensor W(T[] a, Tensor like) => Tensor.Wrap(a, like.Shape.ToArray(), dtype);
            var outs = new List<Tensor?> { W(grads.Input, inputs[0]), W(grads.H0, inputs[1]) };
            int j = 2;
            if (hasC) outs.Add(W(grads.C0!, inputs[j++]));
            outs.Add(W(grads.WeightIh, inputs[j++]));
            outs.Add(W(grads.WeightHh, inputs[j++]));
            if (hasBias) { outs.Add(W(grads.BiasIh!, inputs[j++])); outs.Add(W(grads.BiasHh!, inputs[j++])); }
            if (hasPeephole) outs.Add(W(grads.Peephole!, inputs[j++]));
            return outs.ToArray();
        });
    }
}
