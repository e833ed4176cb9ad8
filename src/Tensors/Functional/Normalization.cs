using MLNetDeep.Tensors.Autograd;
using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Batch normalization as one fused primitive (see <see cref="BatchNormKernels"/>).</summary>
public static partial class F
{
    /// <summary>
    /// Batch normalization over the channel dim 1 of an [N, C, …] input (PyTorch's <c>batch_norm</c>).
    /// Training: normalizes with the batch mean and biased variance and, when running statistics are given,
    /// updates them in place: running = (1 − momentum)·running + momentum·batch, with the unbiased variance.
    /// Eval: normalizes with the running statistics. <paramref name="weight"/>/<paramref name="bias"/> (γ, β) are optional.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not fit (names the argument), running statistics missing in eval mode,
    /// or only one value per channel in training.</exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        input.RequireFloat("BatchNorm");
        if (input.Rank < 2) throw new ArgumentException($"BatchNorm needs an [N, C, ...] input, got {ShapeUtil.Format(input.Dims)}.", nameof(input));
        int n = input.Dims[0], c = input.Dims[1], s = ShapeUtil.Numel(input.Dims.AsSpan(2));
        void Check(Tensor? t, string name)
        {
            if (t != null && (t.Numel != c || t.DType != input.DType))
                throw new ArgumentException($"BatchNorm {name} must have {c} {input.DType} elements (one per channel), got {ShapeUtil.Format(t.Dims)} {t.DType}.", name);
        }
        Check(runningMean, nameof(runningMean));
        Check(runningVar, nameof(runningVar));
        Check(weight, nameof(weight));
        Check(bias, nameof(bias));
        if ((runningMean == null) != (runningVar == null)) throw new ArgumentException("BatchNorm needs both running statistics or neither.", nameof(runningVar));
        if (!training && runningMean == null) throw new ArgumentException("BatchNorm in eval mode needs running statistics.", nameof(runningMean));
        long count = (long)n * s;
        if (training && count <= 1) throw new ArgumentException($"BatchNorm expected more than 1 value per channel when training, got input {ShapeUtil.Format(input.Dims)}.", nameof(input));

        var x = input.Detach().Contiguous();
        var wt = weight?.Detach().Contiguous();
        var bt = bias?.Detach().Contiguous();
        var y = Tensor.Uninitialized(input.Dims, input.DType);
        var mean = new double[c];
        var invStd = new double[c];
        if (training)
        {
            var variance = new double[c];
            if (input.DType == DType.Float32) BatchNormKernels.TrainForward(n, c, s, x.Arr<float>(), x.Offset, Arr<float>(wt), Arr<float>(bt), eps, y.Arr<float>(), mean, invStd, variance);
            else BatchNormKernels.TrainForward(n, c, s, x.Arr<double>(), x.Offset, Arr<double>(wt), Arr<double>(bt), eps, y.Arr<double>(), mean, invStd, variance);
            if (runningMean != null)
            {
                double unbias = (double)count / (count - 1);
                UpdateRunning(runningMean, mean, momentum, 1);
                UpdateRunning(runningVar!, variance, momentum, unbias);
            }
        }
        else
        {
            var rm = runningMean!.Detach().Contiguous();
            var rv = runningVar!.Detach().Contiguous();
            if (input.DType == DType.Float32) BatchNormKernels.EvalForward(n, c, s, x.Arr<float>(), x.Offset, rm.Arr<float>(), rm.Offset, rv.Arr<float>(), rv.Offset, Arr<float>(wt), Arr<float>(bt), eps, y.Arr<float>());
            else BatchNormKernels.EvalForward(n, c, s, x.Arr<double>(), x.Offset, rm.Arr<double>(), rm.Offset, rv.Arr<double>(), rv.Offset, Arr<double>(wt), Arr<double>(bt), eps, y.Arr<double>());
            bool needGrad = GradMode.IsEnabled && (input.RequiresGrad || (weight?.RequiresGrad ?? false) || (bias?.RequiresGrad ?? false));
            if (!needGrad) return y;
            var rmv = rm.ToDoubleArray();
            var rvv = rv.ToDoubleArray();
            for (int i = 0; i < c; i++) { mean[i] = rmv[i]; invStd[i] = 1 / Math.Sqrt(rvv[i] + eps); }
        }

        var inputs = new List<Tensor> { input };
        if (weight != null) inputs.Add(weight);
        if (bias != null) inputs.Add(bias);
        return Tensor.Record(y, "BatchNorm", inputs.ToArray(), g =>
        {
            var gy = g.Contiguous();
            var dx = input.RequiresGrad ? Tensor.Uninitialized(input.Dims, input.DType) : null;
            var dw = weight != null && weight.RequiresGrad ? Tensor.Uninitialized(weight.Dims, weight.DType) : null;
            var db = bias != null && bias.RequiresGrad ? Tensor.Uninitialized(bias.Dims, bias.DType) : null;
            if (input.DType == DType.Float32)
                BatchNormKernels.Backward(n, c, s, training, gy.Arr<float>(), gy.Offset, x.Arr<float>(), x.Offset, Arr<float>(wt), mean, invStd, Arr<float>(dx), Arr<float>(dw), Arr<float>(db));
            else
                BatchNormKernels.Backward(n, c, s, training, gy.Arr<double>(), gy.Offset, x.Arr<double>(), x.Offset, Arr<double>(wt), mean, invStd, Arr<double>(dx), Arr<double>(dw), Arr<double>(db));
            var grads = new List<Tensor?> { dx };
            if (weight != null) grads.Add(dw);
            if (bias != null) grads.Add(db);
            return grads.ToArray();
        });
    }

    /// <summary>The storage of a contiguous, offset-0 tensor (or null). Tensors passed here are ours (fresh) or made contiguous with offset taken into account by the caller.</summary>
    private static T[]? Arr<T>(Tensor? t)
    {
        if (t == null) return null;
        if (t.Offset != 0) t = t.Contiguous(force: true);
        return t.Arr<T>();
    }

    /// <summary>running ← (1 − momentum)·running + momentum·scale·batch, in place and unrecorded.</summary>
    private static void UpdateRunning(Tensor running, double[] batch, double momentum, double scale)
    {
        var r = running.Detach();
        var values = r.ToDoubleArray();
        var updated = new double[values.Length];
        for (int i = 0; i < values.Length; i++) updated[i] = (1 - momentum) * values[i] + momentum * scale * batch[i];
        var src = running.DType == DType.Float32 ? Tensor.FromArray(Array.ConvertAll(updated, v => (float)v), r.Shape.ToArray()) : Tensor.FromArray(updated, r.Shape.ToArray());
        r.CopyFrom(src);
    }
}
