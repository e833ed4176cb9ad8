using MLNetDeep.Tensors;

namespace MLNetDeep.Onnx;

/// <summary>
/// Runs a loaded <see cref="OnnxModel"/>: named inputs in, named outputs out. Nodes run in
/// topological order on engine tensors (no gradients are recorded); every intermediate value is
/// released right after its last consumer, so the collector and the engine's buffer pool can reuse
/// its memory. A session is not thread-safe; create one per thread.
/// </summary>
public sealed class OnnxSession
{
    private readonly OnnxModel _model;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly int[][] _nodeInputs, _nodeOutputs;
    private readonly int[][] _freeAfter; // ids whose last use is node k
    private readonly int _count;
    private readonly TimeSpan[] _nodeTimes;

    /// <summary>Creates a session for <paramref name="model"/>.</summary>
    public OnnxSession(OnnxModel model)
    {
        _model = model;
        foreach (var name in model.Initializers.Keys) Id(name);
        foreach (var i in model.Inputs) Id(i.Name);
        var nodes = model.Nodes;
        _nodeInputs = new int[nodes.Length][];
        _nodeOutputs = new int[nodes.Length][];
        _nodeTimes = new TimeSpan[nodes.Length];
        for (int k = 0; k < nodes.Length; k++)
        {
            _nodeInputs[k] = nodes[k].Inputs.Select(s => s.Length == 0 ? -1 : Id(s)).ToArray();
            _nodeOutputs[k] = nodes[k].Outputs.Select(s => s.Length == 0 ? -1 : Id(s)).ToArray();
        }
        foreach (var o in model.Outputs) Id(o.Name);
        _count = _ids.Count;
        var last = new int[_count];
        Array.Fill(last, -1);
        for (int k = 0; k < nodes.Length; k++) foreach (int id in _nodeInputs[k]) if (id >= 0) last[id] = k;
        var keep = new HashSet<int>(model.Outputs.Select(o => _ids[o.Name]));
        foreach (var name in model.Initializers.Keys) keep.Add(_ids[name]);
        var free = Enumerable.Range(0, nodes.Length).Select(_ => new List<int>()).ToArray();
        for (int id = 0; id < _count; id++) if (last[id] >= 0 && !keep.Contains(id)) free[last[id]].Add(id);
        _freeAfter = free.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>Loads <paramref name="path"/> and creates a session for it.</summary>
    public OnnxSession(string path, OnnxLoadOptions? limits = null) : this(OnnxModel.Load(path, limits)) { }

    /// <summary>When true, <see cref="Run(IReadOnlyDictionary{string, OnnxValue}, IEnumerable{string})"/> adds each node's wall time to <see cref="ProfileByOp"/>.</summary>
    public bool EnableProfiling { get; set; }

    /// <summary>Accumulated wall time per operator type while <see cref="EnableProfiling"/> is on.</summary>
    public Dictionary<string, TimeSpan> ProfileByOp { get; } = new(StringComparer.Ordinal);

    /// <summary>Wall time of each node of <see cref="OnnxModel.Nodes"/> (same index) in the last run with <see cref="EnableProfiling"/> on.</summary>
    public TimeSpan[] ProfileByNode => _nodeTimes;

    /// <summary>The model this session runs.</summary>
    public OnnxModel Model => _model;

    private int Id(string name)
    {
        if (!_ids.TryGetValue(name, out int id)) _ids[name] = id = _ids.Count;
        return id;
    }

    /// <summary>Runs the model on float32/float64/int64 engine tensors and returns every graph output as a tensor.</summary>
    /// <exception cref="OnnxExecutionException">An input is missing or ill-typed, or an operator rejects a shape.</exception>
    public Dictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        var feeds = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var info in _model.Inputs)
        {
            if (!inputs.TryGetValue(info.Name, out var t)) continue;
            var type = info.ElementType ?? OnnxValue.From(t).ElementType;
            if (OnnxValue.StorageOf(type) != t.DType)
                throw new OnnxExecutionException($"input '{info.Name}'", $"expects {type} data (a {OnnxValue.StorageOf(type)} tensor), got {t.DType}.");
            feeds[info.Name] = new OnnxValue(t, type);
        }
        foreach (var k in inputs.Keys)
            if (!feeds.ContainsKey(k)) throw new OnnxExecutionException($"input '{k}'", "is not an input of the model.");
        return Run(feeds).ToDictionary(kv => kv.Key, kv => kv.Value.Tensor, StringComparer.Ordinal);
    }

    /// <summary>Runs the model and returns the requested outputs (all graph outputs when <paramref name="outputNames"/> is null).</summary>
    /// <exception cref="OnnxExecutionException">An input is missing or ill-typed, or an operator rejects a shape.</exception>
    public Dictionary<string, OnnxValue> Run(IReadOnlyDictionary<string, OnnxValue> inputs, IEnumerable<string>? outputNames = null)
    {
        var values = new OnnxValue?[_count];
        foreach (var (name, v) in _model.Initializers) values[_ids[name]] = v;
        foreach (var info in _model.Inputs)
        {
            if (!inputs.TryGetValue(info.Name, out var v))
                throw new OnnxExecutionException($"input '{info.Name}'", "was not given.");
            CheckInput(info, v);
            values[_ids[info.Name]] = v;
        }
        foreach (var (name, v) in inputs)
        {
            if (_model.Initializers.ContainsKey(name)) values[_ids[name]] = v; // overriding an initializer default
            else if (!_model.Inputs.Any(i => i.Name == name)) throw new OnnxExecutionException($"input '{name}'", "is not an input of the model.");
        }

        var recycler = new StorageRecycler(values);
        using (Tensor.NoGrad())
        {
            var nodes = _model.Nodes;
            for (int k = 0; k < nodes.Length; k++)
            {
                var ins = _nodeInputs[k];
                var args = new OnnxValue?[ins.Length];
                for (int j = 0; j < ins.Length; j++) args[j] = ins[j] < 0 ? null : values[ins[j]];
                OnnxValue?[] outs;
                long started = EnableProfiling ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
                try
                {
                    outs = _model.Kernels[k](args);
                }
                catch (OnnxException) { throw; }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException
                                              or OverflowException or NullReferenceException or DivideByZeroException)
                {
                    throw new OnnxExecutionException(nodes[k].Location, e.Message, e);
                }
                if (EnableProfiling)
                {
                    var spent = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    ProfileByOp[nodes[k].OpType] = ProfileByOp.GetValueOrDefault(nodes[k].OpType) + spent;
                    _nodeTimes[k] = spent;
                }
                var outIds = _nodeOutputs[k];
                for (int j = 0; j < outIds.Length; j++)
                {
                    if (outIds[j] < 0) continue;
                    var v = j < outs.Length ? outs[j] : null;
                    if (v is null) throw new OnnxExecutionException(nodes[k].Location, $"output {j} ('{nodes[k].Outputs[j]}') was not produced.");
                    if (v.Tensor.Numel > _model.Limits.MaxRuntimeTensorElements || v.Tensor.Rank > Math.Max(_model.Limits.MaxRank, 8))
                        throw new OnnxExecutionException(nodes[k].Location, $"output {j} has shape beyond the limits.");
                    values[outIds[j]] = v;
                    recycler.Produced(v, nodes[k].OpType);
                }
                foreach (int id in _freeAfter[k])
                {
                    recycler.Released(values[id]);
                    values[id] = null;
                }
            }
        }

        var result = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (var name in outputNames ?? _model.Outputs.Select(o => o.Name))
        {
            if (!_ids.TryGetValue(name, out int id) || values[id] is not { } v)
                throw new OnnxExecutionException($"output '{name}'", "is not an output of the model.");
            result[name] = v;
        }
        return result;
    }

    private static void CheckInput(OnnxValueInfo info, OnnxValue v)
    {
        string loc = $"input '{info.Name}'";
        if (info.ElementType is { } et && et != v.ElementType)
            throw new OnnxExecutionException(loc, $"expects {et}, got {v.ElementType}.");
        if (info.Shape is { } shape)
        {
            if (shape.Length != v.Tensor.Rank)
                throw new OnnxExecutionException(loc, $"expects rank {shape.Length}, got shape [{string.Join(",", v.Shape.ToArray())}].");
            for (int i = 0; i < shape.Length; i++)
                if (shape[i] is long d && d != v.Shape[i])
                    throw new OnnxExecutionException(loc, $"dim {i} must be {d}, got {v.Shape[i]}.");
        }
    }

    /// <summary>
    /// Gives the storage of intermediate values back to the engine's buffer pool once no live value refers
    /// to it, so repeated runs reuse the same arrays instead of allocating (and faulting in) fresh ones.
    /// Only storage first seen as the output of an operator that always allocates its result is recycled;
    /// inputs, initializers and anything a kernel might keep (constants, views of weights) never are.
    /// Views (Reshape, pass-through of a fused activation) share their storage and hold a reference each.
    /// </summary>
    private sealed class StorageRecycler
    {
        private static readonly HashSet<string> Allocating = new(StringComparer.Ordinal)
        {
            "Conv", "ConvTranspose", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "Sigmoid",
            "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "Concat",
        };
        private readonly HashSet<Array> _protected = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Array, int> _live = new(ReferenceEqualityComparer.Instance);

        public StorageRecycler(OnnxValue?[] initial)
        {
            foreach (var v in initial) if (v is not null) _protected.Add(v.Tensor.Storage);
        }

        public void Produced(OnnxValue v, string opType)
        {
            var st = v.Tensor.Storage;
            if (_protected.Contains(st)) return;
            if (_live.TryGetValue(st, out int c)) _live[st] = c + 1;
            else if (Allocating.Contains(opType)) _live[st] = 1;
            else _protected.Add(st); // unknown provenance: never recycle
        }

        public void Released(OnnxValue? v)
        {
            if (v is null) return;
            var st = v.Tensor.Storage;
            if (!_live.TryGetValue(st, out int c)) return;
            if (c > 1) { _live[st] = c - 1; return; }
            _live.Remove(st);
            Tensors.Kernels.BufferPool.Return(st);
        }
    }
}
