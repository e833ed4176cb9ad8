using MLNetDeep.Tensors.Kernels;

namespace MLNetDeep.Tensors.Autograd;

/// <summary>
/// Bookkeeping of one <see cref="Tensor.Backward"/> call: the pending gradient of each tensor, and which
/// storage buffers are still referenced, so that a gradient buffer can go back to the
/// <see cref="BufferPool"/> as soon as the backward pass has consumed it. A buffer is released only if
/// no pending gradient views it and it was never handed out (to a leaf's Grad, or as the caller's seed).
/// </summary>
internal sealed class BackwardPass
{
    private readonly Dictionary<Tensor, Tensor> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Array, int> _references = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Array> _handedOut = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _consumed = new();

    public BackwardPass(Tensor seed) => _handedOut.Add(seed.Storage);

    /// <summary>Adds <paramref name="grad"/> to the pending gradient of <paramref name="t"/>.</summary>
    public void Add(Tensor t, Tensor grad)
    {
        if (_pending.Remove(t, out var prev))
        {
            var sum = prev.Add(grad);
            Unreference(prev);
            _pending[t] = sum;
            Reference(sum);
            _consumed.Add(prev);
            _consumed.Add(grad);
        }
        else
        {
            _pending[t] = grad;
            Reference(grad);
        }
    }

    /// <summary>Removes and returns the fully accumulated gradient of <paramref name="t"/>.</summary>
    public bool Take(Tensor t, out Tensor grad)
    {
        if (!_pending.Remove(t, out grad!)) return false;
        Unreference(grad);
        return true;
    }

    /// <summary>Marks a storage as kept by someone outside the pass (a leaf's Grad).</summary>
    public void HandOut(Array storage) => _handedOut.Add(storage);

    /// <summary>Claims a storage for a leaf if nobody else has claimed it.</summary>
    public bool TryHandOut(Array storage) => !_handedOut.Contains(storage) && !_references.ContainsKey(storage);

    /// <summary>
    /// Called once a node is fully processed: its gradient <paramref name="nodeGradient"/> and the partial sums
    /// replaced meanwhile go back to the pool unless a pending gradient or a leaf still uses their buffer.
    /// Deferring to this point keeps a buffer alive while the node may still hand views of it to other inputs.
    /// </summary>
    public void ReleaseConsumed(Tensor nodeGradient)
    {
        _consumed.Add(nodeGradient);
        foreach (var t in _consumed)
        {
            var s = t.Storage;
            if (s.Length < BufferPool.MinLength || _handedOut.Contains(s) || _references.ContainsKey(s)) continue;
            _handedOut.Add(s); // never twice
            BufferPool.Return(s);
        }
        _consumed.Clear();
    }

    private void Reference(Tensor t) => _references[t.Storage] = _references.GetValueOrDefault(t.Storage) + 1;

    private void Unreference(Tensor t)
    {
        if (_references[t.Storage] == 1) _references.Remove(t.Storage);
        else _references[t.Storage]--;
    }
}
