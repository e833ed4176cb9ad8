using MLNetDeep.Tensors.Autograd;

namespace MLNetDeep.Tensors;

public sealed partial class Tensor
{
    private bool _requiresGrad;
    internal Node? GradFn;

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves (tensors not produced by a recorded
    /// operation): set it on parameters. Results of operations on such tensors require grad too.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn != null && !value) throw new InvalidOperationException("Cannot clear RequiresGrad on a non-leaf tensor; use Detach().");
            if (value && !IsFloatingPoint) throw new InvalidOperationException("Only floating-point tensors can require gradients.");
            _requiresGrad = value;
        }
    }

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/> (or of a non-leaf with <see cref="RetainGrad"/>).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>True for tensors not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn == null;

    /// <summary>Name of the operation that produced this tensor, or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Name;

    private bool _retainGrad;

    /// <summary>Keeps the gradient of this non-leaf tensor in <see cref="Grad"/> during backward.</summary>
    public Tensor RetainGrad()
    {
        _retainGrad = true;
        return this;
    }

    /// <summary>Marks this leaf as requiring gradients and returns it.</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>A view sharing storage that is cut from the graph.</summary>
    public Tensor Detach() => new(Storage, Offset, Dims, Strides, DType);

    /// <summary>Turns off graph recording on this thread until the returned scope is disposed.</summary>
    public static NoGradScope NoGrad() => new(true);

    /// <summary>Attaches a backward rule to <paramref name="result"/> when recording is on and an input requires grad.</summary>
    internal static Tensor Record(Tensor result, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!GradMode.IsEnabled) return result;
        bool any = false;
        foreach (var t in inputs) any |= t._requiresGrad;
        if (!any) return result;
        result._requiresGrad = true;
        result.GradFn = new Node(name, inputs, backward);
        return result;
    }

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires grad and adds it
    /// to the leaves' <see cref="Grad"/>. A non-scalar tensor needs <paramref name="gradient"/>
    /// (the gradient of the final objective with respect to this tensor).
    /// </summary>
    public void Backward(Tensor? gradient = null)
    {
        if (!_requiresGrad) throw new InvalidOperationException("Backward() on a tensor that does not require grad.");
        if (gradient == null)
        {
            if (Numel != 1) throw new InvalidOperationException($"Backward() without a gradient needs a one-element tensor, got {ShapeUtil.Format(Dims)}.");
            gradient = OnesLike(this);
        }
        else if (!ShapeUtil.SameShape(gradient.Dims, Dims))
            throw new ArgumentException($"Gradient shape {ShapeUtil.Format(gradient.Dims)} does not match tensor shape {ShapeUtil.Format(Dims)}.");

        var order = TopologicalOrder(this);
        var pass = new BackwardPass(gradient);
        pass.Add(this, gradient);
        using var _ = NoGrad();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!pass.Take(t, out var g)) continue;
            if (t.GradFn == null || t._retainGrad)
                t.AccumulateGrad(g, pass);
            if (t.GradFn != null)
            {
                var inputGrads = t.GradFn.Backward(g);
                var inputs = t.GradFn.Inputs;
                for (int k = 0; k < inputs.Length; k++)
                {
                    var ig = inputGrads[k];
                    var inp = inputs[k];
                    if (ig == null || !inp._requiresGrad) continue;
                    if (!ShapeUtil.SameShape(ig.Dims, inp.Dims))
                        throw new InvalidOperationException($"Backward of {t.GradFn.Name} produced a gradient of shape {ShapeUtil.Format(ig.Dims)} for an input of shape {ShapeUtil.Format(inp.Dims)}.");
                    pass.Add(inp, ig);
                }
            }
            pass.ReleaseConsumed(g);
        }
    }

    /// <summary>
    /// Accumulates into a leaf's <see cref="Grad"/>: in place when the existing gradient owns a dense
    /// buffer (as PyTorch does), else by adopting <paramref name="g"/>'s buffer or a copy of it.
    /// </summary>
    private void AccumulateGrad(Tensor g, BackwardPass pass)
    {
        if (Grad != null)
        {
            if (Grad.OwnsDenseStorage && Grad.DType == g.DType && ShapeUtil.SameShape(Grad.Dims, Dims))
                Grad.AddInPlace(g);
            else
                Grad = Grad.Add(g);
            return;
        }
        Grad = g.OwnsDenseStorage && pass.TryHandOut(g.Storage) ? g.Detach() : g.Contiguous(force: true);
        pass.HandOut(Grad.Storage);
    }

    /// <summary>True when this tensor views all of its storage densely from offset 0.</summary>
    internal bool OwnsDenseStorage => Offset == 0 && IsContiguous && Storage.Length == Numel;

    /// <summary>this += other (broadcast), in place and unrecorded.</summary>
    internal void AddInPlace(Tensor other)
    {
        if (DType == DType.Float32) Kernels.Elementwise.Binary<float, Kernels.AddOp<float>>(Detach(), other.ExpandView(Dims), this);
        else Kernels.Elementwise.Binary<double, Kernels.AddOp<double>>(Detach(), other.ExpandView(Dims), this);
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (t, expanded) = stack.Pop();
            if (expanded)
            {
                order.Add(t);
                continue;
            }
            if (!visited.Add(t)) continue;
            stack.Push((t, true));
            if (t.GradFn == null) continue;
            foreach (var inp in t.GradFn.Inputs)
                if (inp._requiresGrad && !visited.Contains(inp)) stack.Push((inp, false));
        }
        return order;
    }
}
