using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors;

/// <summary>Elementwise primitives (each with its backward rule) and the operators built on them.</summary>
public sealed partial class Tensor
{
    internal static Tensor Uninitialized(int[] dims, DType dtype)
    {
        int n = ShapeUtil.Numel(dims);
        Array s = dtype switch
        {
            DType.Float32 => BufferPool.Rent<float>(n),
            DType.Float64 => BufferPool.Rent<double>(n),
            _ => BufferPool.Rent<long>(n),
        };
        return Wrap(s, (int[])dims.Clone(), dtype);
    }

    internal void RequireFloat(string op)
    {
        if (!IsFloatingPoint) throw new InvalidOperationException($"{op} needs a floating-point tensor, got {DType}.");
    }

    private Tensor UnaryKernel<TF, TD>(string op) where TF : struct, IUnaryOp<float> where TD : struct, IUnaryOp<double>
    {
        RequireFloat(op);
        var x = Contiguous();
        var y = Uninitialized(Dims, DType);
        if (DType == DType.Float32) Elementwise.Unary<float, TF>(x.Arr<float>(), x.Offset, y.Arr<float>(), 0, Numel);
        else Elementwise.Unary<double, TD>(x.Arr<double>(), x.Offset, y.Arr<double>(), 0, Numel);
        return y;
    }

    private static Tensor BinaryKernel<TF, TD>(Tensor a, Tensor b, string op) where TF : struct, IBinaryOp<float> where TD : struct, IBinaryOp<double>
    {
        a.RequireFloat(op);
        b.RequireFloat(op);
        if (a.DType != b.DType)
            throw new InvalidOperationException($"{op}: dtype mismatch {a.DType} vs {b.DType}; convert with To().");
        var shape = ShapeUtil.Broadcast(a.Dims, b.Dims);
        var output = Uninitialized(shape, a.DType);
        if (a.DType == DType.Float32) Elementwise.Binary<float, TF>(a.ExpandView(shape), b.ExpandView(shape), output);
        else Elementwise.Binary<double, TD>(a.ExpandView(shape), b.ExpandView(shape), output);
        return output;
    }

    private Tensor ScalarLike(double v) => Scalar(v, DType);

    // ------------------------------------------------------------------ binary primitives

    /// <summary>a + b with broadcasting.</summary>
    public Tensor Add(Tensor other) => Record(BinaryKernel<AddOp<float>, AddOp<double>>(this, other, "Add"), "Add", [this, other],
        g => [g.SumTo(Dims), g.SumTo(other.Dims)]);

    /// <summary>a − b with broadcasting.</summary>
    public Tensor Sub(Tensor other) => Record(BinaryKernel<SubOp<float>, SubOp<double>>(this, other, "Sub"), "Sub", [this, other],
        g => [g.SumTo(Dims), other._requiresGrad ? g.Neg().SumTo(other.Dims) : null]);

    /// <summary>a · b with broadcasting.</summary>
    public Tensor Mul(Tensor other) => Record(BinaryKernel<MulOp<float>, MulOp<double>>(this, other, "Mul"), "Mul", [this, other],
        g => [_requiresGrad ? g.Mul(other).SumTo(Dims) : null, other._requiresGrad ? g.Mul(this).SumTo(other.Dims) : null]);

    /// <summary>a / b with broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        var y = BinaryKernel<DivOp<float>, DivOp<double>>(this, other, "Div");
        return Record(y, "Div", [this, other],
            g => [_requiresGrad ? g.Div(other).SumTo(Dims) : null, other._requiresGrad ? g.Mul(y).Div(other).Neg().SumTo(other.Dims) : null]);
    }

    /// <summary>a ^ b elementwise with broadcasting.</summary>
    public Tensor Pow(Tensor exponent)
    {
        var y = BinaryKernel<PowOp<float>, PowOp<double>>(this, exponent, "Pow");
        return Record(y, "Pow", [this, exponent], g => [
            _requiresGrad ? g.Mul(exponent).Mul(Pow(exponent.Sub(exponent.ScalarLike(1)))).SumTo(Dims) : null,
            exponent._requiresGrad ? g.Mul(y).Mul(Log()).SumTo(exponent.Dims) : null]);
    }

    /// <summary>x ^ p for a constant exponent.</summary>
    public Tensor Pow(double exponent)
    {
        var y = BinaryKernel<PowOp<float>, PowOp<double>>(this, ScalarLike(exponent), "Pow");
        return Record(y, "PowScalar", [this], g => [g.Mul(Pow(exponent - 1)).Mul(ScalarLike(exponent))]);
    }

    /// <summary>Elementwise maximum of two tensors (gradient goes to the larger; ties split evenly, as in PyTorch).</summary>
    public Tensor Maximum(Tensor other)
    {
        var y = BinaryKernel<MaxOp<float>, MaxOp<double>>(this, other, "Maximum");
        return Record(y, "Maximum", [this, other], g =>
        {
            var gt = Gt(other); var eq = Eq(other); var half = eq.Mul(ScalarLike(0.5));
            return [g.Mul(gt.Add(half)).SumTo(Dims), g.Mul(other.Gt(this).Add(half)).SumTo(other.Dims)];
        });
    }

    // ------------------------------------------------------------------ unary primitives

    /// <summary>−x.</summary>
    public Tensor Neg() => Record(UnaryKernel<NegOp<float>, NegOp<double>>("Neg"), "Neg", [this], g => [g.Neg()]);

    /// <summary>eˣ.</summary>
    public Tensor Exp()
    {
        var y = UnaryKernel<ExpOp<float>, ExpOp<double>>("Exp");
        return Record(y, "Exp", [this], g => [g.Mul(y)]);
    }

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Record(UnaryKernel<LogOp<float>, LogOp<double>>("Log"), "Log", [this], g => [g.Div(this)]);

    /// <summary>Square root.</summary>
    public Tensor Sqrt()
    {
        var y = UnaryKernel<SqrtOp<float>, SqrtOp<double>>("Sqrt");
        return Record(y, "Sqrt", [this], g => [g.Div(y.Mul(ScalarLike(2)))]);
    }

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh()
    {
        var y = UnaryKernel<TanhOp<float>, TanhOp<double>>("Tanh");
        return Record(y, "Tanh", [this], g => [g.Mul(ScalarLike(1).Sub(y.Mul(y)))]);
    }

    /// <summary>Logistic sigmoid 1/(1+e⁻ˣ).</summary>
    public Tensor Sigmoid()
    {
        var y = UnaryKernel<SigmoidOp<float>, SigmoidOp<double>>("Sigmoid");
        return Record(y, "Sigmoid", [this], g => [g.Mul(y).Mul(ScalarLike(1).Sub(y))]);
    }

    /// <summary>max(x, 0).</summary>
    public Tensor Relu()
    {
        var y = UnaryKernel<ReluOp<float>, ReluOp<double>>("Relu");
        return Record(y, "Relu", [this], g => [BinaryKernel<PassWherePositiveOp<float>, PassWherePositiveOp<double>>(g, y, "ReluBackward")]);
    }

    /// <summary>|x| (gradient sign(x), 0 at 0).</summary>
    public Tensor Abs() => Record(UnaryKernel<AbsOp<float>, AbsOp<double>>("Abs"), "Abs", [this], g => [g.Mul(Sign())]);

    /// <summary>Sign of each element (−1, 0, 1); not differentiable (zero gradient).</summary>
    public Tensor Sign() => UnaryKernel<SignOp<float>, SignOp<double>>("Sign");

    /// <summary>The error function.</summary>
    public Tensor Erf() => Record(UnaryKernel<ErfOp<float>, ErfOp<double>>("Erf"), "Erf", [this],
        g => [g.Mul(Mul(this).Neg().Exp()).Mul(ScalarLike(1.1283791670955126))]);

    /// <summary>Clamps to [min, max] (either bound optional); gradient passes where min ≤ x ≤ max.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        RequireFloat("Clamp");
        Tensor y = this.Detach();
        if (min is double lo) y = BinaryKernel<MaxOp<float>, MaxOp<double>>(y, ScalarLike(lo), "Clamp");
        if (max is double hi) y = BinaryKernel<MaxOp<float>, MaxOp<double>>(y.Neg(), ScalarLike(-hi), "Clamp").Neg();
        if (ReferenceEquals(y.Storage, Storage)) y = y.Contiguous(force: true);
        return Record(y, "Clamp", [this], g =>
        {
            var pass = OnesLike(this);
            if (min is double l) pass = pass.Mul(Lt(ScalarLike(l)).Neg().Add(ScalarLike(1)));
            if (max is double h) pass = pass.Mul(Gt(ScalarLike(h)).Neg().Add(ScalarLike(1)));
            return [g.Mul(pass)];
        });
    }

    // ------------------------------------------------------------------ comparisons (masks, no gradient)

    private static Tensor Compare<TF, TD>(Tensor a, Tensor b, string op, bool swap) where TF : struct, IBinaryOp<float> where TD : struct, IBinaryOp<double>
    {
        if (!a.IsFloatingPoint || !b.IsFloatingPoint || a.DType != b.DType)
        {
            var dt = a.DType == DType.Float32 || b.DType == DType.Float32 ? DType.Float32 : DType.Float64;
            if (a.DType == DType.Int64 || b.DType == DType.Int64) dt = DType.Float64;
            var r = Compare<TF, TD>(a.Detach().To(dt), b.Detach().To(dt), op, swap);
            return a.DType == DType.Int64 && b.DType == DType.Int64 ? r.To(DType.Float32) : r;
        }
        return swap ? BinaryKernel<TF, TD>(b, a, op) : BinaryKernel<TF, TD>(a, b, op);
    }

    /// <summary>1 where this &gt; other, else 0.</summary>
    public Tensor Gt(Tensor other) => Compare<GreaterOp<float>, GreaterOp<double>>(this, other, "Gt", false);
    /// <summary>1 where this &lt; other, else 0.</summary>
    public Tensor Lt(Tensor other) => Compare<GreaterOp<float>, GreaterOp<double>>(this, other, "Lt", true);
    /// <summary>1 where this == other, else 0.</summary>
    public Tensor Eq(Tensor other) => Compare<EqualOp<float>, EqualOp<double>>(this, other, "Eq", false);
    /// <summary>1 where this &gt; value, else 0.</summary>
    public Tensor Gt(double value) => Gt(Scalar(value, IsFloatingPoint ? DType : DType.Float64));
    /// <summary>1 where this &lt; value, else 0.</summary>
    public Tensor Lt(double value) => Lt(Scalar(value, IsFloatingPoint ? DType : DType.Float64));
    /// <summary>1 where this == value, else 0.</summary>
    public Tensor Eq(double value) => Eq(Scalar(value, IsFloatingPoint ? DType : DType.Float64));

    // ------------------------------------------------------------------ derived ops

    /// <summary>x + value.</summary>
    public Tensor Add(double value) => Add(ScalarLike(value));
    /// <summary>x · value.</summary>
    public Tensor Mul(double value) => Mul(ScalarLike(value));
    /// <summary>x − value.</summary>
    public Tensor Sub(double value) => Sub(ScalarLike(value));
    /// <summary>x / value.</summary>
    public Tensor Div(double value) => Div(ScalarLike(value));
    /// <summary>x².</summary>
    public Tensor Square() => Mul(this);
    /// <summary>1/x.</summary>
    public Tensor Reciprocal() => ScalarLike(1).Div(this);

    /// <summary>Elementwise addition.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Elementwise subtraction.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Elementwise multiplication.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Elementwise division.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double a, Tensor b) => b.ScalarLike(a).Sub(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(double a, Tensor b) => b.ScalarLike(a).Div(b);
}
