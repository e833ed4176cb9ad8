using System.Globalization;
using System.Text;

namespace MLNetDeep.Tensors;

/// <summary>Renders small tensors for debugging (large ones are summarized).</summary>
internal static class TensorFormatter
{
    public static string Format(Tensor t)
    {
        var sb = new StringBuilder();
        sb.Append("Tensor(").Append(ShapeUtil.Format(t.Shape)).Append(", ").Append(t.DType);
        if (t.RequiresGrad) sb.Append(", requires_grad");
        sb.Append(')');
        if (t.Numel <= 64)
        {
            var v = t.ToDoubleArray();
            sb.Append(" [").Append(string.Join(", ", v.Select(x => x.ToString("G6", CultureInfo.InvariantCulture)))).Append(']');
        }
        return sb.ToString();
    }
}
