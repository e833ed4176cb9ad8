using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Operators;

/// <summary>
/// Convolutions and pooling over 1-D and 2-D spatial inputs on the engine's vision kernels. ONNX
/// padding (explicit, possibly asymmetric, or auto_pad SAME_UPPER/SAME_LOWER/VALID) is resolved here
/// into [top, left, bottom, right]; 1-D inputs run as 2-D with a height of 1.
/// </summary>
internal static class ConvOps
{
    public static void Register(Dictionary<string, Func<OnnxNode, OnnxKernel>> r)
    {
        r["Conv"] = Conv;
        r["ConvTranspose"] = ConvTranspose;
        r["MaxPool"] = n => Pool(n, max: true);
        r["AveragePool"] = n => Pool(n, max: false);
    }

    /// <summary>Spatial settings of a conv/pool node, validated at load time.</summary>
    private sealed class Window
    {
        public string AutoPad = "NOTSET";
        public long[]? Kernel, Strides, Dilations, Pads;

        public static Window Read(OnnxNode n)
        {
            var w = new Window
            {
                AutoPad = n.Str("auto_pad", "NOTSET"),
                Kernel = n.Ints("kernel_shape"),
                Strides = n.Ints("strides"),
                Dilations = n.Ints("dilations"),
                Pads = n.Ints("pads"),
            };
            if (w.AutoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID")) throw n.Error($"auto_pad '{w.AutoPad}' is not valid.");
            foreach (var (name, v) in new[] { ("strides", w.Strides), ("dilations", w.Dilations), ("kernel_shape", w.Kernel) })
                if (v is not null && v.Any(x => x < 1 || x > 1 << 20)) throw n.Error($"{name} must be positive and reasonable, got [{string.Join(",", v)}].");
            if (w.Pads is not null && w.Pads.Any(x => x < 0 || x > 1 << 20)) throw n.Error($"pads must be non-negative, got [{string.Join(",", w.Pads)}].");
            return w;
        }

        /// <summary>Per spatial axis: stride, dilation, pad begin, pad end for inputs of spatial size <paramref name="size"/>.</summary>
        public (int[] S, int[] D, int[] Begin, int[] End) Resolve(OnnxNode n, int[] size, int[] kernel)
        {
            int k = size.Length;
            int[] Get(long[]? v, string name, int fallback)
            {
                if (v is null) return Enumerable.Repeat(fallback, k).ToArray();
                if (v.Length != k) throw n.RunError($"{name} has {v.Length} values for {k} spatial axes.");
                return v.Select(x => (int)x).ToArray();
            }
            var s = Get(Strides, "strides", 1);
            var d = Get(Dilations, "dilations", 1);
            var begin = new int[k];
            var end = new int[k];
            if (AutoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                for (int i = 0; i < k; i++)
                {
                    int outSize = (size[i] + s[i] - 1) / s[i];
                    int total = Math.Max(0, (outSize - 1) * s[i] + (kernel[i] - 1) * d[i] + 1 - size[i]);
                    begin[i] = AutoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
            }
            else if (AutoPad == "NOTSET" && Pads is not null)
            {
                if (Pads.Length != 2 * k) throw n.RunError($"pads has {Pads.Length} values for {k} spatial axes.");
                for (int i = 0; i < k; i++) { begin[i] = (int)Pads[i]; end[i] = (int)Pads[i + k]; }
            }
            return (s, d, begin, end);
        }
    }

    /// <summary>[N, C, L] → [N, C, 1, L] so 1-D runs on the 2-D kernels.</summary>
    private static Tensor To2d(Tensor t) => t.Rank == 3 ? t.Unsqueeze(2) : t;

    private static int[] Pads2d(int[] begin, int[] end) =>
        begin.Length == 1 ? [0, begin[0], 0, end[0]] : [begin[0], begin[1], end[0], end[1]];

    private static int[] Two(int[] v, int one) => v.Length == 1 ? [one, v[0]] : v;

    private static OnnxKernel Conv(OnnxNode n) => Conv(n, float.NegativeInfinity, float.PositiveInfinity);

    /// <summary>Conv whose output is clamped to [lo, hi] inside the engine's kernels (a fused Relu/Clip).</summary>
    internal static OnnxKernel Conv(OnnxNode n, float lo, float hi)
    {
        var win = Window.Read(n);
        int groups = n.CheckRange("group", n.Int("group", 1), 1, int.MaxValue);
        // A constant (initializer) weight is packed for the GEMM once, on first use, and reused by later runs.
        var constantW = n.ConstantInput(1);
        var packed = constantW is null ? null : new MLNetDeep.Tensors.Kernels.PackedWeightCache();
        return ins =>
        {
            var x = ins.In(0, n);
            var w = ins.In(1, n);
            var b = ins.Opt(2);
            if (!x.IsFloat || w.ElementType != x.ElementType) throw n.RunError($"Conv needs float X and W of one type, got {x.ElementType} and {w.ElementType}.");
            var cache = constantW is not null && ReferenceEquals(w.Tensor, constantW.Tensor) ? packed : null;
            int spatial = x.Tensor.Rank - 2;
            if (spatial is < 1 or > 2 || w.Tensor.Rank != x.Tensor.Rank)
                throw n.RunError($"only 1-D and 2-D convolutions are supported (X {x}, W {w}).");
            var kernel = w.Shape[2..].ToArray();
            var (s, d, begin, end) = win.Resolve(n, x.Shape[2..].ToArray(), kernel);
            bool clamp = !float.IsNegativeInfinity(lo) || !float.IsPositiveInfinity(hi);
            var y = clamp || x.Tensor.DType == DType.Float32
                ? F.Conv2dClamped(To2d(x.Tensor), To2d(w.Tensor), b?.Tensor, Two(s, 1), Pads2d(begin, end), Two(d, 1), groups, lo, hi, cache)
                : F.Conv2d(To2d(x.Tensor), To2d(w.Tensor), b?.Tensor, Two(s, 1), Pads2d(begin, end), Two(d, 1), groups);
            if (spatial == 1) y = y.Squeeze(2);
            return [new OnnxValue(y, x.ElementType)];
        };
    }

    private static OnnxKernel ConvTranspose(OnnxNode n)
    {
        var win = Window.Read(n);
        int groups = n.CheckRange("group", n.Int("group", 1), 1, int.MaxValue);
        var outputPadding = n.Ints("output_padding");
        var outputShape = n.Ints("output_shape");
        return ins =>
        {
            var x = ins.In(0, n);
            var w = ins.In(1, n);
            var b = ins.Opt(2);
            if (!x.IsFloat || w.ElementType != x.ElementType) throw n.RunError($"ConvTranspose needs float X and W of one type, got {x.ElementType} and {w.ElementType}.");
            int k = x.Tensor.Rank - 2;
            if (k is < 1 or > 2 || w.Tensor.Rank != x.Tensor.Rank)
                throw n.RunError($"only 1-D and 2-D transposed convolutions are supported (X {x}, W {w}).");
            var size = x.Shape[2..].ToArray();
            var kernel = w.Shape[2..].ToArray();
            var s = win.Strides?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, k).ToArray();
            var d = win.Dilations?.Select(v => (int)v).ToArray() ?? Enumerable.Repeat(1, k).ToArray();
            var op = outputPadding?.Select(v => (int)v).ToArray() ?? new int[k];
            if (s.Length != k || d.Length != k || op.Length != k) throw n.RunError("strides, dilations and output_padding need one value per spatial axis.");
            var begin = new int[k];
            var end = new int[k];
            long[]? target = outputShape is null ? null : outputShape.Length == k ? outputShape : outputShape[^k..];
            if (target is null && win.AutoPad is "SAME_UPPER" or "SAME_LOWER")
                target = size.Select((v, i) => (long)v * s[i]).ToArray();
            if (target is not null)
            {
                for (int i = 0; i < k; i++)
                {
                    long total = (long)s[i] * (size[i] - 1) + op[i] + (long)(kernel[i] - 1) * d[i] + 1 - target[i];
                    if (total < 0)
                    {
                        op[i] += (int)-total; // extend at the end: the extra outputs see only the bias
                        total = 0;
                    }
                    begin[i] = win.AutoPad == "SAME_UPPER" ? (int)(total / 2) : (int)(total - total / 2);
                    end[i] = (int)total - begin[i];
                }
            }
            else if (win.Pads is not null)
            {
                if (win.Pads.Length != 2 * k) throw n.RunError($"pads has {win.Pads.Length} values for {k} spatial axes.");
                for (int i = 0; i < k; i++) { begin[i] = (int)win.Pads[i]; end[i] = (int)win.Pads[i + k]; }
            }
            var y = F.ConvTranspose2d(To2d(x.Tensor), To2d(w.Tensor), b?.Tensor, Two(s, 1), Pads2d(begin, end), Two(op, 0), Two(d, 1), groups);
            if (k == 1) y = y.Squeeze(2);
            return [new OnnxValue(y, x.ElementType)];
        };
    }

    private static OnnxKernel Pool(OnnxNode n, bool max)
    {
        var win = Window.Read(n);
        if (win.Kernel is null) throw n.Error("attribute 'kernel_shape' is required.");
        bool ceil = n.Int("ceil_mode", 0) != 0;
        bool includePad = n.Int("count_include_pad", 0) != 0;
        if (max && n.Int("storage_order", 0) != 0) throw n.Error("storage_order = 1 is not supported.");
        if (max && n.Outputs.Count > 1 && n.Outputs[1].Length > 0) throw n.Error("the Indices output of MaxPool is not supported.");
        if (!max && win.Dilations is not null && win.Dilations.Any(v => v != 1)) throw n.Error("dilated AveragePool is not supported.");
        return ins =>
        {
            var x = ins.In(0, n);
            if (!x.IsFloat) throw n.RunError($"needs a float input, got {x.ElementType}.");
            int k = x.Tensor.Rank - 2;
            if (k is < 1 or > 2) throw n.RunError($"only 1-D and 2-D pooling is supported, got {x}.");
            var kernel = win.Kernel.Select(v => (int)v).ToArray();
            if (kernel.Length != k) throw n.RunError($"kernel_shape has {kernel.Length} values for {k} spatial axes.");
            var (s, d, begin, end) = win.Resolve(n, x.Shape[2..].ToArray(), kernel);
            var t = To2d(x.Tensor);
            var y = max
                ? F.MaxPool2d(t, Two(kernel, 1), Two(s, 1), Pads2d(begin, end), Two(d, 1), ceil)
                : F.AvgPool2d(t, Two(kernel, 1), Two(s, 1), Pads2d(begin, end), ceil, includePad);
            if (k == 1) y = y.Squeeze(2);
            return [new OnnxValue(y, x.ElementType)];
        };
    }
}
