using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx.Operators;

/// <summary>Elementwise arithmetic, activations, comparisons, logic and casts.</summary>
internal static class ElementwiseOps
{
    public static void Register(Dictionary<string, Func<OnnxNode, OnnxKernel>> r)
    {
        r["Add"] = n => Binary(n, (a, b) => a.Add(b), (x, y) => x + y);
        r["Sub"] = n => Binary(n, (a, b) => a.Sub(b), (x, y) => x - y);
        r["Mul"] = n => Binary(n, (a, b) => a.Mul(b), (x, y) => x * y);
        r["Div"] = n => Binary(n, (a, b) => a.Div(b), (x, y) => y == 0 ? throw n.RunError("integer division by zero.") : x / y);
        r["Pow"] = Pow;
        r["Relu"] = n => Unary(n, x => x.Relu(), v => Math.Max(v, 0));
        r["Neg"] = n => Unary(n, x => x.Neg(), v => -v);
        r["Abs"] = n => Unary(n, x => x.Abs(), Math.Abs);
        r["Sqrt"] = n => FloatUnary(n, x => x.Sqrt());
        r["Exp"] = n => FloatUnary(n, x => x.Exp());
        r["Log"] = n => FloatUnary(n, x => x.Log());
        r["Erf"] = n => FloatUnary(n, x => x.Erf());
        r["Sigmoid"] = n => FloatUnary(n, x => x.Sigmoid());
        r["Tanh"] = n => FloatUnary(n, x => x.Tanh());
        r["LeakyRelu"] = n =>
        {
            double alpha = n.Float("alpha", 0.01f);
            return FloatUnary(n, x => F.LeakyRelu(x, alpha));
        };
        r["Clip"] = Clip;
        r["Equal"] = n => Compare(n, (x, y) => x == y, (x, y) => x == y);
        r["Less"] = n => Compare(n, (x, y) => x < y, (x, y) => x < y);
        r["Greater"] = n => Compare(n, (x, y) => x > y, (x, y) => x > y);
        r["Not"] = n => ins =>
        {
            var x = ins.In(0, n);
            if (x.ElementType != OnnxElementType.Bool) throw n.RunError($"Not needs bool input, got {x.ElementType}.");
            var a = x.Tensor.ToArray<long>();
            for (int i = 0; i < a.Length; i++) a[i] = a[i] == 0 ? 1 : 0;
            return [OpUtil.FromLongs(a, x.Shape.ToArray(), OnnxElementType.Bool)];
        };
        r["Where"] = Where;
        r["Cast"] = n =>
        {
            long to = n.IntOrNull("to") ?? throw n.Error("attribute 'to' is required.");
            if (!OnnxValue.IsSupported((int)to) || to != (int)to) throw n.Error($"cast to element type {to} is not supported.");
            var type = (OnnxElementType)to;
            return ins => [Cast(ins.In(0, n), type)];
        };
        r["Identity"] = n => ins => [ins.In(0, n)];
        r["Dropout"] = n => ins =>
        {
            var x = ins.In(0, n);
            if (ins.Opt(2) is { } training && training.Scalar(n) != 0 && (ins.Opt(1) is null || ins.Opt(1)!.Scalar(n) != 0))
                throw n.RunError("training-mode dropout is not supported (inference only).");
            if (n.Opset < 12 && n.Int("is_test", 1) == 0 && n.Opset < 7) throw n.RunError("training-mode dropout is not supported.");
            var mask = Tensor.Full(x.Shape.ToArray(), 1, DType.Int64);
            return [x, new OnnxValue(mask, OnnxElementType.Bool)];
        };
    }

    private static OnnxKernel Binary(OnnxNode n, Func<Tensor, Tensor, Tensor> f, Func<long, long, long> g) => ins =>
    {
        var a = ins.In(0, n);
        var b = ins.In(1, n);
        if (a.ElementType != b.ElementType) throw n.RunError($"input types differ: {a.ElementType} and {b.ElementType}.");
        if (a.IsFloat) return [new OnnxValue(f(a.Tensor, b.Tensor), a.ElementType).Rounded()];
        var shape = OpUtil.Broadcast(a.Shape, b.Shape, n);
        var x = OpUtil.DataAs<long>(a.Tensor, shape);
        var y = OpUtil.DataAs<long>(b.Tensor, shape);
        var z = new long[x.Length];
        for (int i = 0; i < z.Length; i++) z[i] = g(x[i], y[i]);
        return [OpUtil.FromLongs(z, shape, a.ElementType)];
    };

    private static OnnxKernel Unary(OnnxNode n, Func<Tensor, Tensor> f, Func<long, long> g) => ins =>
    {
        var x = ins.In(0, n);
        if (x.IsFloat) return [new OnnxValue(f(x.Tensor), x.ElementType).Rounded()];
        var a = x.Tensor.ToArray<long>();
        for (int i = 0; i < a.Length; i++) a[i] = g(a[i]);
        return [OpUtil.FromLongs(a, x.Shape.ToArray(), x.ElementType)];
    };

    private static OnnxKernel FloatUnary(OnnxNode n, Func<Tensor, Tensor> f) => ins =>
    {
        var x = ins.In(0, n);
        if (!x.IsFloat) throw n.RunError($"{n.OpType} needs a floating-point input, got {x.ElementType}.");
        return [new OnnxValue(f(x.Tensor), x.ElementType).Rounded()];
    };

    private static OnnxKernel Pow(OnnxNode n) => ins =>
    {
        var a = ins.In(0, n);
        var b = ins.In(1, n);
        if (a.IsFloat)
        {
            var e = b.Tensor.DType == a.Tensor.DType ? b.Tensor : b.Tensor.To(a.Tensor.DType);
            return [new OnnxValue(a.Tensor.Pow(e), a.ElementType).Rounded()];
        }
        var shape = OpUtil.Broadcast(a.Shape, b.Shape, n);
        var x = OpUtil.DataAs<long>(a.Tensor, shape);
        var y = b.Tensor.DType == DType.Int64 ? OpUtil.DataAs<long>(b.Tensor, shape).Select(v => (double)v).ToArray()
            : OpUtil.ExpandTo(b.Tensor.To(DType.Float64), shape).ToArray<double>();
        var z = new long[x.Length];
        for (int i = 0; i < z.Length; i++) z[i] = OpUtil.ToLongSaturating(Math.Pow(x[i], y[i]));
        return [OpUtil.FromLongs(z, shape, a.ElementType)];
    };

    private static OnnxKernel Clip(OnnxNode n)
    {
        float? attrMin = n.Opset < 11 ? n.FloatOrNull("min") : null;
        float? attrMax = n.Opset < 11 ? n.FloatOrNull("max") : null;
        return ins =>
        {
            var x = ins.In(0, n);
            double? lo = n.Opset < 11 ? attrMin : ins.Opt(1)?.Scalar(n);
            double? hi = n.Opset < 11 ? attrMax : ins.Opt(2)?.Scalar(n);
            if (x.IsFloat)
            {
                if (lo is null && hi is null) return [x];
                if (x.ElementType == OnnxElementType.Float)
                {
                    var y = x.Tensor.Contiguous(force: true);
                    OnnxFusion.Apply(y.Data<float>(), lo is double l0 ? (float)l0 : float.NegativeInfinity, hi is double h0 ? (float)h0 : float.PositiveInfinity);
                    return [new OnnxValue(y, x.ElementType)];
                }
                // Clamp (min first, then max) matches ONNX's min(max(x, lo), hi), including lo > hi.
                return [new OnnxValue(x.Tensor.Clamp(lo, hi), x.ElementType)];
            }
            var a = x.Tensor.ToArray<long>();
            for (int i = 0; i < a.Length; i++)
            {
                if (lo is double l && a[i] < l) a[i] = (long)l;
                if (hi is double h && a[i] > h) a[i] = (long)h;
            }
            return [OpUtil.FromLongs(a, x.Shape.ToArray(), x.ElementType)];
        };
    }

    private static OnnxKernel Compare(OnnxNode n, Func<double, double, bool> fd, Func<long, long, bool> fl) => ins =>
    {
        var a = ins.In(0, n);
        var b = ins.In(1, n);
        if (a.ElementType != b.ElementType) throw n.RunError($"input types differ: {a.ElementType} and {b.ElementType}.");
        var shape = OpUtil.Broadcast(a.Shape, b.Shape, n);
        var z = new long[OpUtil.Prod(shape, 0, shape.Length)];
        if (a.IsFloat)
        {
            var x = OpUtil.ExpandTo(a.Tensor, shape).Contiguous().ToDoubleArray();
            var y = OpUtil.ExpandTo(b.Tensor, shape).Contiguous().ToDoubleArray();
            for (int i = 0; i < z.Length; i++) z[i] = fd(x[i], y[i]) ? 1 : 0;
        }
        else
        {
            var x = OpUtil.DataAs<long>(a.Tensor, shape);
            var y = OpUtil.DataAs<long>(b.Tensor, shape);
            for (int i = 0; i < z.Length; i++) z[i] = fl(x[i], y[i]) ? 1 : 0;
        }
        return [OpUtil.FromLongs(z, shape, OnnxElementType.Bool)];
    };

    private static OnnxKernel Where(OnnxNode n) => ins =>
    {
        var c = ins.In(0, n);
        var a = ins.In(1, n);
        var b = ins.In(2, n);
        if (c.ElementType != OnnxElementType.Bool) throw n.RunError($"condition must be bool, got {c.ElementType}.");
        if (a.ElementType != b.ElementType) throw n.RunError($"input types differ: {a.ElementType} and {b.ElementType}.");
        var shape = OpUtil.Broadcast(OpUtil.Broadcast(c.Shape, a.Shape, n), b.Shape, n);
        var cond = OpUtil.DataAs<long>(c.Tensor, shape);
        switch (a.Tensor.DType)
        {
            case DType.Float32: return [new OnnxValue(Make.T(Select(cond, OpUtil.DataAs<float>(a.Tensor, shape), OpUtil.DataAs<float>(b.Tensor, shape)), shape), a.ElementType)];
            case DType.Float64: return [new OnnxValue(Make.T(Select(cond, OpUtil.DataAs<double>(a.Tensor, shape), OpUtil.DataAs<double>(b.Tensor, shape)), shape), a.ElementType)];
            default: return [new OnnxValue(Make.T(Select(cond, OpUtil.DataAs<long>(a.Tensor, shape), OpUtil.DataAs<long>(b.Tensor, shape)), shape), a.ElementType)];
        }
    };

    private static T[] Select<T>(long[] c, T[] a, T[] b)
    {
        for (int i = 0; i < a.Length; i++) if (c[i] == 0) a[i] = b[i];
        return a;
    }

    /// <summary>Converts a value to another element type (float → int truncates toward zero, as C casts do).</summary>
    public static OnnxValue Cast(OnnxValue x, OnnxElementType to)
    {
        if (x.ElementType == to) return x;
        var shape = x.Shape.ToArray();
        if (to == OnnxElementType.Bool)
        {
            var d = x.Doubles();
            return OpUtil.FromLongs(d.Select(v => v != 0 ? 1L : 0L).ToArray(), shape, to);
        }
        if (x.Tensor.DType == DType.Int64)
        {
            var l = x.Tensor.ToArray<long>();
            if (OnnxValue.StorageOf(to) == DType.Int64) return OpUtil.FromLongs(l, shape, to);
            return OpUtil.FromDoubles(l.Select(v => (double)v).ToArray(), shape, to);
        }
        if (OnnxValue.StorageOf(to) == DType.Float32 && x.Tensor.DType == DType.Float32)
            return new OnnxValue(x.Tensor, to).Rounded();
        return OpUtil.FromDoubles(x.Doubles(), shape, to);
    }
}
