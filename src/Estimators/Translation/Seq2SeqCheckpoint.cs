using System.Globalization;
using System.Text.Json;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Optim;
using MLNetDeep.Tensors.Serialization;

namespace MLNetDeep.Estimators.Translation;

/// <summary>
/// The end-of-epoch training state of a <see cref="Seq2SeqTrainer"/> in one safetensors file, written
/// atomically: weights ("model.*"), the optimizer's buffers ("optim.*", its type and scalars in the metadata), the
/// learning-rate scheduler's position (metadata "schedule"), the history, and
/// the best weights so far ("best.*") when early stopping is on. Everything else a resumed run needs (batch
/// order, dropout masks) is derived from the seed and the epoch number.
/// </summary>
internal static class Seq2SeqCheckpoint
{
    private const string Format = "mlnetdeep-seq2seq-checkpoint-1";

    public static void Save(string path, Seq2SeqNetwork net, Optimizer optimizer, LearningRateScheduler? scheduler, IReadOnlyList<Seq2SeqEpoch> history, IReadOnlyDictionary<string, Tensor>? best, int seed)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in net.StateDict()) tensors["model." + name] = t;
        var state = optimizer.GetState();
        foreach (var (name, t) in state.Tensors) tensors["optim." + name] = t;
        if (best is not null) foreach (var (name, t) in best) tensors["best." + name] = t;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["shape"] = JsonSerializer.Serialize(net.Shape),
            ["optimizer"] = optimizer.GetType().Name,
            ["optim"] = JsonSerializer.Serialize(state.Scalars),
            ["schedule"] = scheduler is null ? "" : JsonSerializer.Serialize(scheduler.GetState()),
            ["history"] = JsonSerializer.Serialize(history),
        };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>Restores weights, optimizer and history; returns the best weights when saved.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this model (other shape, seed or data).</exception>
    public static Dictionary<string, Tensor>? Load(string path, Seq2SeqNetwork net, Optimizer optimizer, LearningRateScheduler? scheduler, List<Seq2SeqEpoch> history, int seed)
    {
        var file = SafeTensors.Load(path);
        var meta = file.Metadata;
        string Meta(string key) => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"Checkpoint '{path}': metadata field '{key}' is missing.");
        if (Meta("format") != Format) throw new InvalidDataException($"Checkpoint '{path}': format '{Meta("format")}' is not {Format}.");
        var shape = JsonSerializer.Deserialize<Seq2SeqShape>(Meta("shape"));
        if (shape != net.Shape)
            throw new InvalidDataException($"Checkpoint '{path}' was made for {shape}, but this run builds {net.Shape} (other options or training data); delete it or change CheckpointPath.");
        if (Meta("seed") != seed.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"Checkpoint '{path}' was made with seed {Meta("seed")}, this run uses {seed}.");
        // Checkpoints written before the optimizer and schedule options were Adam with no scheduler.
        string savedOptimizer = meta.TryGetValue("optimizer", out var so) ? so : nameof(Adam);
        string savedSchedule = meta.TryGetValue("schedule", out var ss) ? ss : "";
        if (savedOptimizer != optimizer.GetType().Name)
            throw new InvalidDataException($"Checkpoint '{path}' was made with the optimizer {savedOptimizer}, this run uses {optimizer.GetType().Name}.");
        var schedule = savedSchedule.Length == 0 ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(savedSchedule);
        if ((schedule is null) != (scheduler is null) || (schedule is not null && schedule.GetValueOrDefault("type") != scheduler!.GetType().Name))
            throw new InvalidDataException($"Checkpoint '{path}' was made with the schedule {schedule?.GetValueOrDefault("type") ?? "Constant"}, this run uses {scheduler?.GetType().Name ?? "Constant"}.");
        var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var best = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var state = new OptimizerState();
        foreach (var (name, t) in file.Tensors)
        {
            if (name.StartsWith("model.", StringComparison.Ordinal)) model[name[6..]] = t;
            else if (name.StartsWith("optim.", StringComparison.Ordinal)) state.Tensors[name[6..]] = t;
            else if (name.StartsWith("best.", StringComparison.Ordinal)) best[name[5..]] = t;
        }
        foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, string>>(Meta("optim")) ?? []) state.Scalars[k] = v;
        net.LoadStateDict(model, strict: true);
        optimizer.LoadState(state);
        if (schedule is not null) scheduler!.LoadState(schedule);
        history.Clear();
        history.AddRange(JsonSerializer.Deserialize<List<Seq2SeqEpoch>>(Meta("history")) ?? []);
        return best.Count > 0 ? best : null;
    }
}
