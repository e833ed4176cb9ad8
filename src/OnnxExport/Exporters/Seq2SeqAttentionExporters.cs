using MLNetDeep.OnnxExport.Schema;
using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exporters of the seq2seq attention modules (<see cref="AdditiveAttention"/>, <see cref="LuongAttention"/>):
/// inputs [query [B, Hq], keys [B, S, Hk]] or with a third [B, S] source mask (int64 nonzero = padding, or
/// additive float); outputs [context [B, Hk], weights [B, S]].
/// </summary>
public static class Seq2SeqAttentionExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<AdditiveAttention>((ctx, m, inputs) =>
        {
            var (query, keys, mask) = Split(ctx, inputs, "AdditiveAttention");
            string q = ctx.Node("Unsqueeze", [ctx.Export(m.QueryProj, [query])[0], ctx.Builder.AddInt64s("axes", 1)]);
            string hidden = ctx.Node("Tanh", [ctx.Node("Add", [q, ctx.Export(m.KeyProj, [keys])[0]])]);
            string scores = ctx.Node("Squeeze", [ctx.Export(m.Energy, [hidden])[0], ctx.Builder.AddInt64s("axes", -1)]);
            return Attend(ctx, scores, keys, mask, inputs, s => m.Forward(s[0], s[1], s.Length > 2 ? s[2] : null));
        });
        registry.Register<LuongAttention>((ctx, m, inputs) =>
        {
            var (query, keys, mask) = Split(ctx, inputs, "LuongAttention");
            string last = ctx.Builder.AddInt64s("axes", -1);
            string scores;
            switch (m.Score)
            {
                case LuongScore.Dot:
                    scores = ctx.Node("Squeeze", [ctx.Node("MatMul", [keys, ctx.Node("Unsqueeze", [query, last])]), last]);
                    break;
                case LuongScore.General:
                    string projected = ctx.Export(m.Attn!, [query])[0];
                    scores = ctx.Node("Squeeze", [ctx.Node("MatMul", [keys, ctx.Node("Unsqueeze", [projected, last])]), last]);
                    break;
                default:
                    string batchSteps = CoreExporters.ShapeSlice(ctx, ctx.Node("Shape", [keys]), 0, 2);
                    string querySize = CoreExporters.ShapeSlice(ctx, ctx.Node("Shape", [query]), 1, 2);
                    string shape = ctx.Node("Concat", [batchSteps, querySize], OnnxAttr.Int("axis", 0));
                    string expanded = ctx.Node("Expand", [ctx.Node("Unsqueeze", [query, ctx.Builder.AddInt64s("axes", 1)]), shape]);
                    string joined = ctx.Node("Concat", [expanded, keys], OnnxAttr.Int("axis", -1));
                    string energy = ctx.Node("Tanh", [ctx.Export(m.Attn!, [joined])[0]]);
                    scores = ctx.Node("Squeeze", [ctx.Export(m.V!, [energy])[0], last]);
                    break;
            }
            return Attend(ctx, scores, keys, mask, inputs, s => m.Forward(s[0], s[1], s.Length > 2 ? s[2] : null));
        });
    }

    private static (string Query, string Keys, string? Mask) Split(OnnxExportContext ctx, IReadOnlyList<string> inputs, string module)
    {
        if (inputs.Count is < 2 or > 3)
            throw new OnnxExportException($"{module} takes [query, keys] or [query, keys, sourceMask], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        return (inputs[0], inputs[1], inputs.Count == 3 ? inputs[2] : null);
    }

    // weights = softmax(scores [+ mask]) over S; context = weights·keys. Records the traced outputs when it can.
    private static IReadOnlyList<string> Attend(OnnxExportContext ctx, string scores, string keys, string? mask, IReadOnlyList<string> inputs,
        Func<Tensor[], (Tensor Context, Tensor Weights)> forward)
    {
        if (mask is not null)
        {
            bool isFloat = ctx.HasSample(mask) ? ctx.Sample(mask).IsFloatingPoint
                : ctx.Builder.ElementTypeOf(mask) is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double;
            scores = isFloat
                ? ctx.Node("Add", [scores, mask])
                : ctx.Node("Where", [ctx.Node("Cast", [mask], OnnxAttr.Int("to", (int)TensorProto.Types.DataType.Bool)), ctx.Scalar(double.NegativeInfinity, keys), scores]);
        }
        string weights = ctx.Node("Softmax", [scores], OnnxAttr.Int("axis", -1));
        string context = ctx.Node("Squeeze", [ctx.Node("MatMul", [ctx.Node("Unsqueeze", [weights, ctx.Builder.AddInt64s("axes", 1)]), keys]), ctx.Builder.AddInt64s("axes", 1)]);
        if (inputs.All(ctx.HasSample))
        {
            var (c, w) = forward(inputs.Select(ctx.Sample).ToArray());
            ctx.SetSample(context, c);
            ctx.SetSample(weights, w);
        }
        return [context, weights];
    }
}
