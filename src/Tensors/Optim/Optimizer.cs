using System.Globalization;

namespace MLNetDeep.Tensors.Optim;

/// <summary>
/// Base of the optimizers: holds the parameters, the learning rate and the per-parameter state,
/// and runs the update in place on each parameter's storage (the parameter objects are never
/// replaced, so models keep their references). Subclasses implement the update rule of one
/// PyTorch 1.13 optimizer in <see cref="UpdateParameter"/>.
/// </summary>
/// <remarks>
/// Typical loop: <c>opt.ZeroGrad(); loss.Backward(); opt.Step(); scheduler?.Step();</c>.
/// </remarks>
public abstract class Optimizer
{
    private readonly Tensor[] _parameters;
    private readonly ParameterState[] _states;
    private double _learningRate;

    /// <summary>Takes the parameters to optimize and the initial learning rate.</summary>
    /// <exception cref="ArgumentException">The list is empty, or holds a null, integer, non-leaf, non-contiguous or repeated tensor.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in parameters)
        {
            int i = list.Count;
            if (p is null) throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
            if (!p.IsFloatingPoint) throw new ArgumentException($"Parameter {i} is {p.DType}; optimizers update float32 or float64 tensors only.", nameof(parameters));
            if (!p.IsLeaf) throw new ArgumentException($"Parameter {i} is not a leaf tensor (it was produced by {p.GradFnName}); optimize the leaf it came from.", nameof(parameters));
            if (!p.IsContiguous) throw new ArgumentException($"Parameter {i} is a non-contiguous view; optimizers update contiguous tensors in place.", nameof(parameters));
            if (!seen.Add(p)) throw new ArgumentException($"Parameter {i} appears more than once in the parameter list.", nameof(parameters));
            list.Add(p);
        }
        if (list.Count == 0) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        _parameters = list.ToArray();
        _states = Array.ConvertAll(_parameters, p => new ParameterState(p));
        LearningRate = learningRate;
    }

    /// <summary>The parameters, in the order given (state keys use these indices).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The learning rate used by the next <see cref="Step"/>; schedulers change it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            CheckNonNegative(value, nameof(LearningRate));
            _learningRate = value;
        }
    }

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public int StepCount { get; private set; }

    /// <summary>The state kept for parameter <paramref name="index"/>.</summary>
    public ParameterState State(int index) => _states[index];

    /// <summary>
    /// Clears the parameters' gradients: zeroes them in place (PyTorch 1.13's default; the next backward pass
    /// then accumulates into the same buffers), or drops them when <paramref name="setToNone"/>.
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        foreach (var p in _parameters)
        {
            if (setToNone || p.Grad is null) p.Grad = null;
            else p.Grad.FillInPlace(0);
        }
    }

    /// <summary>
    /// Updates every parameter that has a gradient in place; parameters whose <see cref="Tensor.Grad"/>
    /// is null are skipped (their state is untouched, as in PyTorch). All gradients are validated
    /// before any parameter changes.
    /// </summary>
    /// <exception cref="InvalidOperationException">A gradient's shape or dtype differs from its parameter's.</exception>
    public void Step()
    {
        var work = new List<(int Index, Tensor Grad)>(_parameters.Length);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var g = p.Grad;
            if (g is null) continue;
            if (g.DType != p.DType)
                throw new InvalidOperationException($"Gradient of parameter {i} is {g.DType} but the parameter is {p.DType}.");
            if (!ShapeUtil.SameShape(g.Dims, p.Dims))
                throw new InvalidOperationException($"Gradient of parameter {i} has shape {ShapeUtil.Format(g.Dims)} but the parameter has shape {ShapeUtil.Format(p.Dims)}.");
            work.Add((i, g.IsContiguous ? g : g.Detach().Contiguous()));
        }
        StepCount++;
        foreach (var (i, g) in work)
        {
            _states[i].Step++;
            UpdateParameter(i, _parameters[i], g, _states[i]);
        }
    }

    /// <summary>
    /// Applies the update rule to one parameter in place. <paramref name="state"/>.Step has already
    /// been incremented; <paramref name="gradient"/> is contiguous with the parameter's shape and dtype.
    /// </summary>
    protected abstract void UpdateParameter(int index, Tensor parameter, Tensor gradient, ParameterState state);

    /// <summary>Writes the hyperparameters other than the learning rate (PyTorch names) into <paramref name="scalars"/>.</summary>
    protected abstract void WriteHyperparameters(IDictionary<string, string> scalars);

    /// <summary>Reads and validates the hyperparameters written by <see cref="WriteHyperparameters"/>.</summary>
    protected abstract void ReadHyperparameters(IReadOnlyDictionary<string, string> scalars);

    /// <summary>Buffers every stepped parameter must have under the current hyperparameters.</summary>
    protected abstract IEnumerable<string> RequiredBuffers();

    /// <summary>Every buffer name this optimizer may keep.</summary>
    protected abstract IEnumerable<string> KnownBuffers();

    // ------------------------------------------------------------------ state

    /// <summary>A detached copy of the whole optimizer state (buffers, step counts, hyperparameters).</summary>
    public OptimizerState GetState()
    {
        var s = new OptimizerState();
        s.Scalars["type"] = GetType().Name;
        s.Scalars["param_count"] = Format(_parameters.Length);
        s.Scalars["step_count"] = Format(StepCount);
        s.Scalars["lr"] = Format(LearningRate);
        WriteHyperparameters(s.Scalars);
        for (int i = 0; i < _states.Length; i++)
        {
            var st = _states[i];
            if (!st.IsInitialized) continue;
            s.Scalars[$"{i}.step"] = Format(st.Step);
            foreach (var (name, buffer) in st.Buffers) s.Tensors[$"{i}.{name}"] = Copy(buffer);
        }
        return s;
    }

    /// <summary>
    /// Replaces the whole optimizer state (including the learning rate and other hyperparameters,
    /// as PyTorch's <c>load_state_dict</c> does) with a copy of <paramref name="state"/>. Nothing
    /// changes when validation fails.
    /// </summary>
    /// <exception cref="ArgumentException">The state is for another optimizer type or parameter count, a value is missing or malformed, or a buffer's name, shape or dtype does not fit.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sc = state.Scalars;
        string type = Get(sc, "type");
        if (type != GetType().Name)
            throw new ArgumentException($"Optimizer state is for '{type}' but this optimizer is '{GetType().Name}'.", nameof(state));
        int count = ReadInt(sc, "param_count");
        if (count != _parameters.Length)
            throw new ArgumentException($"Optimizer state has {count} parameters but this optimizer has {_parameters.Length}.", nameof(state));
        int stepCount = ReadInt(sc, "step_count");
        double lr = ReadDouble(sc, "lr");
        CheckNonNegative(lr, "lr");

        var backup = new Dictionary<string, string>(StringComparer.Ordinal);
        WriteHyperparameters(backup);
        var steps = new int?[count];
        var buffers = new Dictionary<string, Tensor>[count];
        try
        {
            ReadHyperparameters(sc);
            foreach (var key in sc.Keys)
            {
                if (!key.EndsWith(".step", StringComparison.Ordinal)) continue;
                int i = ParseIndex(key, key[..^5], count);
                int step = ReadInt(sc, key);
                if (step < 0) throw new ArgumentException($"Optimizer state value '{key}' is negative.");
                steps[i] = step;
            }
            var known = new HashSet<string>(KnownBuffers(), StringComparer.Ordinal);
            foreach (var (key, t) in state.Tensors)
            {
                int dot = key.IndexOf('.');
                if (dot < 0) throw new ArgumentException($"Optimizer state tensor '{key}' is not named '<index>.<buffer>'.");
                int i = ParseIndex(key, key[..dot], count);
                string name = key[(dot + 1)..];
                if (!known.Contains(name)) throw new ArgumentException($"Optimizer state tensor '{key}': {GetType().Name} has no buffer '{name}'.");
                var p = _parameters[i];
                if (t is null || t.DType != p.DType || !ShapeUtil.SameShape(t.Dims, p.Dims))
                    throw new ArgumentException($"Optimizer state tensor '{key}' is {(t is null ? "null" : $"{t.DType} {ShapeUtil.Format(t.Dims)}")} but parameter {i} is {p.DType} {ShapeUtil.Format(p.Dims)}.");
                if (steps[i] is null) throw new ArgumentException($"Optimizer state has tensor '{key}' but no '{i}.step'.");
                (buffers[i] ??= new(StringComparer.Ordinal))[name] = t;
            }
            var required = RequiredBuffers().ToArray();
            for (int i = 0; i < count; i++)
            {
                if (steps[i] is null) continue;
                foreach (var name in required)
                    if (buffers[i] is null || !buffers[i].ContainsKey(name))
                        throw new ArgumentException($"Optimizer state lacks tensor '{i}.{name}' for parameter {i}, which has {steps[i]} steps.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            ReadHyperparameters(backup);
            throw e as ArgumentException ?? new ArgumentException(e.Message, nameof(state), e);
        }

        LearningRate = lr;
        StepCount = stepCount;
        for (int i = 0; i < count; i++)
        {
            var st = _states[i];
            st.Clear();
            if (steps[i] is not int step) continue;
            st.Step = step;
            if (buffers[i] is { } b)
                foreach (var (name, t) in b) st.SetBuffer(name, Copy(t));
        }
    }

    private static int ParseIndex(string key, string text, int count)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i >= count)
            throw new ArgumentException($"Optimizer state key '{key}' does not name a parameter index below {count}.");
        return i;
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /// <summary>A contiguous copy with its own storage, detached from the graph.</summary>
    internal static Tensor Copy(Tensor t)
    {
        var c = Tensor.Zeros(t.Dims, t.DType);
        c.CopyFrom(t.Detach());
        return c;
    }

    /// <summary>Formats a number so that parsing it gives back the same value.</summary>
    protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Formats an integer in the invariant culture.</summary>
    protected static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a flag as <c>true</c>/<c>false</c>.</summary>
    protected static string Format(bool value) => value ? "true" : "false";

    private static string Get(IReadOnlyDictionary<string, string> scalars, string key) =>
        scalars.TryGetValue(key, out var v) ? v : throw new ArgumentException($"Optimizer state lacks the value '{key}'.");

    /// <summary>Reads a double written by <see cref="Format(double)"/>.</summary>
    protected static double ReadDouble(IReadOnlyDictionary<string, string> scalars, string key) =>
        double.TryParse(Get(scalars, key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"Optimizer state value '{key}' = '{scalars[key]}' is not a number.");

    /// <summary>Reads an integer written by <see cref="Format(int)"/>.</summary>
    protected static int ReadInt(IReadOnlyDictionary<string, string> scalars, string key) =>
        int.TryParse(Get(scalars, key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"Optimizer state value '{key}' = '{scalars[key]}' is not an integer.");

    /// <summary>Reads a flag written by <see cref="Format(bool)"/>.</summary>
    protected static bool ReadBool(IReadOnlyDictionary<string, string> scalars, string key) => Get(scalars, key) switch
    {
        "true" => true,
        "false" => false,
        var s => throw new ArgumentException($"Optimizer state value '{key}' = '{s}' is not 'true' or 'false'."),
    };

    /// <summary>Throws unless <paramref name="value"/> ≥ 0 (NaN fails).</summary>
    protected static void CheckNonNegative(double value, string name)
    {
        if (!(value >= 0)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative.");
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    protected static void CheckUnitInterval(double value, string name)
    {
        if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
    }
}
