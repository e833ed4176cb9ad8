using System.Numerics.Tensors;

namespace MLNetDeep.Tensors.Nn.Quantized;

/// <summary>
/// A float layer (BatchNorm already folded) that will be quantized, standing in the network during calibration: it
/// runs the float layer (and the ReLU and max pool that will be fused) and records the range of its input.
/// </summary>
internal sealed class CalibrationSlot : Module<Tensor, Tensor>
{
    private readonly QuantizationObserver _observer;
    private readonly double _percentile;
    private double _lowSum, _highSum;
    private int _batches;

    public Module<Tensor, Tensor> Layer { get; }

    public bool Relu { get; }

    public MaxPool2d? Pool { get; }

    public ActivationRange? Range { get; set; }

    public CalibrationSlot(Module<Tensor, Tensor> layer, bool relu, MaxPool2d? pool, QuantizationObserver observer, double percentile)
    {
        Layer = RegisterModule("layer", layer);
        (Relu, Pool, _observer, _percentile) = (relu, pool, observer, percentile);
        Eval();
    }

    public override Tensor Forward(Tensor input)
    {
        Observe(input.ToFloatArray());
        var y = Layer.Forward(input);
        if (Relu) y = y.Relu();
        return Pool is null ? y : Pool.Forward(y);
    }

    private void Observe(float[] x)
    {
        if (x.Length == 0) return;
        float lo, hi;
        if (_observer == QuantizationObserver.MinMax) (lo, hi) = (TensorPrimitives.Min(x), TensorPrimitives.Max(x));
        else
        {
            Array.Sort(x);
            int last = x.Length - 1;
            lo = x[(int)Math.Floor((100 - _percentile) / 100 * last)];
            hi = x[(int)Math.Ceiling(_percentile / 100 * last)];
        }
        _batches++;
        if (_observer == QuantizationObserver.MinMax)
        {
            Range = Range is { } r ? new ActivationRange(Math.Min(r.Min, lo), Math.Max(r.Max, hi)) : new ActivationRange(lo, hi);
            return;
        }
        _lowSum += lo;
        _highSum += hi;
        Range = new ActivationRange((float)(_lowSum / _batches), (float)(_highSum / _batches));
    }
}
