using System.Globalization;
using System.Text;

namespace MLNetDeep.Tensors.Nn.Pruning;

/// <summary>Zero count of one parameter tensor.</summary>
/// <param name="Name">Qualified parameter name (e.g. <c>features.0.weight</c>).</param>
/// <param name="Parameters">Number of elements.</param>
/// <param name="Zeros">Number of elements exactly zero.</param>
public sealed record ParameterSparsity(string Name, long Parameters, long Zeros)
{
    /// <summary>Zeros over parameters (0 for an empty tensor).</summary>
    public double Sparsity => Parameters == 0 ? 0 : (double)Zeros / Parameters;
}

/// <summary>
/// Sparsity of a network, read from its parameter values: one row per parameter tensor, the total over all parameters,
/// and the total over the prunable weights (<see cref="PrunableLayer"/>) that magnitude pruning targets.
/// </summary>
public sealed class SparsityReport
{
    private SparsityReport(IReadOnlyList<ParameterSparsity> parameters, ParameterSparsity prunable)
    {
        Parameters = parameters;
        Prunable = prunable;
        Total = new ParameterSparsity("total", parameters.Sum(p => p.Parameters), parameters.Sum(p => p.Zeros));
    }

    /// <summary>One row per parameter tensor, in <see cref="Module.NamedParameters"/> order.</summary>
    public IReadOnlyList<ParameterSparsity> Parameters { get; }

    /// <summary>All parameters together.</summary>
    public ParameterSparsity Total { get; }

    /// <summary>The Conv2d/Linear weights together (what a sparsity target refers to).</summary>
    public ParameterSparsity Prunable { get; }

    /// <summary>Counts the zeros of every parameter of <paramref name="network"/>.</summary>
    public static SparsityReport Of(Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var rows = network.NamedParameters().Select(p => new ParameterSparsity(p.Key, p.Value.Numel, CountZeros(p.Value))).ToList();
        var weights = PrunableLayer.Find(network).Select(l => l.WeightName).ToHashSet(StringComparer.Ordinal);
        var prunable = rows.Where(r => weights.Contains(r.Name)).ToList();
        return new SparsityReport(rows, new ParameterSparsity("prunable weights", prunable.Sum(r => r.Parameters), prunable.Sum(r => r.Zeros)));
    }

    /// <summary>Number of elements exactly zero (any dtype).</summary>
    public static long CountZeros(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.DType switch
        {
            DType.Float32 => t.ToArray<float>().Count(v => v == 0f),
            DType.Float64 => t.ToArray<double>().Count(v => v == 0d),
            _ => t.ToArray<long>().Count(v => v == 0L),
        };
    }

    /// <summary>A markdown table: parameter, elements, zeros, sparsity %, then the prunable and total rows.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder("| parameter | elements | zeros | sparsity |\n|---|---:|---:|---:|\n");
        foreach (var row in Parameters.Append(Prunable).Append(Total))
            sb.Append(CultureInfo.InvariantCulture, $"| {row.Name} | {row.Parameters} | {row.Zeros} | {row.Sparsity * 100:F1}% |\n");
        return sb.ToString();
    }
}
