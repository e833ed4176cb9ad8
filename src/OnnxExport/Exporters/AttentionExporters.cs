using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.OnnxExport.Exporters;

/// <summary>
/// Exporters of <see cref="MultiheadAttention"/> (as MatMul/Softmax subgraphs), the Transformer encoder
/// and decoder layers and stacks, and the positional encodings. Key-padding masks are exported as an
/// extra input of attention and encoder layers/stacks; the decoder's causal mask is an option; other
/// attention masks are not exported.
/// </summary>
public static class AttentionExporters
{
    /// <summary>Registers them.</summary>
    /// <param name="registry">The registry to fill.</param>
    public static void Register(OnnxExportRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register<MultiheadAttention>(ExportAttention);
        registry.Register<TransformerEncoderLayer>(ExportEncoderLayer);
        registry.Register<TransformerEncoder>(ExportEncoder);
        registry.Register<TransformerDecoderLayer>(ExportDecoderLayer);
        registry.Register<TransformerDecoder>(ExportDecoder);
        registry.Register<SinusoidalPositionalEncoding>((ctx, m, i) => [AddPositions(ctx, CoreExporters.Single(i, "SinusoidalPositionalEncoding"), ctx.Initializer("pe", m.Table), m.BatchFirst)]);
        registry.Register<LearnedPositionalEmbedding>((ctx, m, i) => [AddPositions(ctx, CoreExporters.Single(i, "LearnedPositionalEmbedding"), ctx.Parameter("weight", m.Weight), m.BatchFirst)]);
    }

    // Inputs: [x] (self-attention) or [query, key, value]; output: the attention output (no weights).
    private static IReadOnlyList<string> ExportAttention(OnnxExportContext ctx, MultiheadAttention mha, IReadOnlyList<string> inputs)
    {
        var (q, k, v) = inputs.Count switch
        {
            1 => (inputs[0], inputs[0], inputs[0]),
            3 or 4 => (inputs[0], inputs[1], inputs[2]),
            _ => throw new OnnxExportException($"MultiheadAttention takes [x], [query, key, value] or [query, key, value, keyPaddingMask], got {inputs.Count} inputs.", modulePath: ctx.ModulePath),
        };
        string? padding = inputs.Count == 4 ? inputs[3] : null;
        string y = Attention(ctx, mha, q, k, v, causal: false, padding);
        if (ctx.HasSamples(q, k, v) && (padding is null || ctx.HasSample(padding)))
            ctx.SetSample(y, mha.Forward(ctx.Sample(q), ctx.Sample(k), ctx.Sample(v), padding is null ? null : ctx.Sample(padding), needWeights: false).Output);
        return [y];
    }

    /// <summary>
    /// softmax(Q·Kᵀ/√d [+ causal mask])·V per head, then the output projection. Inputs are [L, N, E]
    /// ([N, L, E] batch-first); heads are split by Reshape [0, 0, h, d] and Transpose.
    /// </summary>
    /// <param name="ctx">Export context, with <paramref name="mha"/> as the current module.</param>
    /// <param name="mha">The attention layer.</param>
    /// <param name="query">Query value.</param>
    /// <param name="key">Key value.</param>
    /// <param name="value">Value value.</param>
    /// <param name="causal">Mask keys after each query position.</param>
    /// <param name="keyPaddingMask">Optional [N, S] mask: int64 (nonzero = padding, ignored) or float (added to the scores).</param>
    public static string Attention(OnnxExportContext ctx, MultiheadAttention mha, string query, string key, string value, bool causal, string? keyPaddingMask = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(mha);
        int e = mha.EmbedDim, h = mha.NumHeads, d = mha.HeadDim;
        string Project(string x, Tensor? packedOrSeparate, int block, string name)
        {
            var w = mha.InProjWeight is not null ? mha.InProjWeight.Slice(0, block * e, (block + 1) * e) : packedOrSeparate!;
            string y = ctx.Node("MatMul", [x, ctx.Initializer(name + "_proj_weight_t", w.T.Contiguous())]);
            if (mha.InProjBias is not null) y = ctx.Node("Add", [y, ctx.Initializer(name + "_proj_bias", mha.InProjBias.Slice(0, block * e, (block + 1) * e))]);
            return ctx.Node("Reshape", [y, ctx.Builder.AddInt64s("heads_shape", 0, 0, h, d)]);
        }
        bool bf = mha.BatchFirst;
        string q4 = ctx.Node("Transpose", [Project(query, mha.QProjWeight, 0, "q")], OnnxAttr.Ints("perm", bf ? [0L, 2, 1, 3] : [1L, 2, 0, 3]));
        string kT = ctx.Node("Transpose", [Project(key, mha.KProjWeight, 1, "k")], OnnxAttr.Ints("perm", bf ? [0L, 2, 3, 1] : [1L, 2, 3, 0]));
        string v4 = ctx.Node("Transpose", [Project(value, mha.VProjWeight, 2, "v")], OnnxAttr.Ints("perm", bf ? [0L, 2, 1, 3] : [1L, 2, 0, 3]));
        string scores = ctx.Node("Mul", [ctx.Node("MatMul", [q4, kT]), ctx.Scalar(1 / Math.Sqrt(d), query)]);
        if (causal) scores = CausalMask(ctx, scores, query, key, bf ? 1 : 0);
        if (keyPaddingMask is not null) scores = PaddingMask(ctx, scores, keyPaddingMask, query);
        string probs = ctx.Node("Softmax", [scores], OnnxAttr.Int("axis", -1));
        string o4 = ctx.Node("MatMul", [probs, v4]);
        string merged = ctx.Node("Reshape", [ctx.Node("Transpose", [o4], OnnxAttr.Ints("perm", bf ? [0L, 2, 1, 3] : [2L, 0, 1, 3])), ctx.Builder.AddInt64s("merged_shape", 0, 0, e)]);
        return ctx.Export(mha.OutProj, [merged])[0];
    }

    // scores [N, h, L, S] with −∞ where key index j > query index i.
    private static string CausalMask(OnnxExportContext ctx, string scores, string query, string key, int seqAxis)
    {
        string Length(string x) => ctx.Node("Gather", [ctx.Node("Shape", [x]), ctx.Builder.AddConstant("seq_axis", Tensor.Scalar(seqAxis, DType.Int64))], OnnxAttr.Int("axis", 0));
        string zero = ctx.Builder.AddConstant("zero", Tensor.Scalar(0, DType.Int64));
        string one = ctx.Builder.AddConstant("one", Tensor.Scalar(1, DType.Int64));
        string rows = ctx.Node("Unsqueeze", [ctx.Node("Range", [zero, Length(query), one]), ctx.Builder.AddInt64s("axes", 1)]);
        string cols = ctx.Node("Range", [zero, Length(key), one]);
        string future = ctx.Node("Greater", [cols, rows]);
        return ctx.Node("Where", [future, ctx.Scalar(double.NegativeInfinity, query), scores]);
    }

    // scores [N, h, L, S]; the mask [N, S] is broadcast as [N, 1, 1, S].
    private static string PaddingMask(OnnxExportContext ctx, string scores, string mask, string like)
    {
        bool isFloat = ctx.HasSample(mask) ? ctx.Sample(mask).IsFloatingPoint
            : ctx.Builder.ElementTypeOf(mask) is Schema.TensorProto.Types.DataType.Float or Schema.TensorProto.Types.DataType.Double;
        string m4 = ctx.Node("Unsqueeze", [mask, ctx.Builder.AddInt64s("axes", 1, 2)]);
        if (isFloat) return ctx.Node("Add", [scores, m4]);
        string padded = ctx.Node("Cast", [m4], OnnxAttr.Int("to", (int)Schema.TensorProto.Types.DataType.Bool));
        return ctx.Node("Where", [padded, ctx.Scalar(double.NegativeInfinity, like), scores]);
    }

    private static string EncoderLayer(OnnxExportContext ctx, TransformerEncoderLayer layer, string x, string? padding = null)
    {
        string SelfAttention(string h) => padding is null ? ctx.Export(layer.SelfAttn, [h])[0] : ctx.Export(layer.SelfAttn, [h, h, h, padding])[0];
        string FeedForward(string h) => ctx.Export(layer.Linear2, [Activate(ctx, layer.Activation, ctx.Export(layer.Linear1, [h])[0])])[0];
        string Norm(LayerNorm n, string h) => ctx.Export(n, [h])[0];
        if (layer.NormFirst)
        {
            x = ctx.Node("Add", [x, SelfAttention(Norm(layer.Norm1, x))]);
            return ctx.Node("Add", [x, FeedForward(Norm(layer.Norm2, x))]);
        }
        x = Norm(layer.Norm1, ctx.Node("Add", [x, SelfAttention(x)]));
        return Norm(layer.Norm2, ctx.Node("Add", [x, FeedForward(x)]));
    }

    private static string Activate(OnnxExportContext ctx, string activation, string x) =>
        activation == "relu" ? ctx.Node("Relu", [x]) : ActivationExporters.Gelu(ctx, x, tanhApproximation: false);

    // Inputs: [x] or [x, keyPaddingMask [N, L]].
    private static IReadOnlyList<string> ExportEncoderLayer(OnnxExportContext ctx, TransformerEncoderLayer layer, IReadOnlyList<string> inputs)
    {
        if (inputs.Count is < 1 or > 2) throw new OnnxExportException($"TransformerEncoderLayer takes [x] or [x, keyPaddingMask], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        string? padding = inputs.Count == 2 ? inputs[1] : null;
        string y = EncoderLayer(ctx, layer, inputs[0], padding);
        if (padding is not null && ctx.HasSamples(inputs[0], padding))
            ctx.SetSample(y, layer.Forward(ctx.Sample(inputs[0]), null, ctx.Sample(padding)));
        return [y];
    }

    // Inputs: [x] or [x, keyPaddingMask [N, L]].
    private static IReadOnlyList<string> ExportEncoder(OnnxExportContext ctx, TransformerEncoder encoder, IReadOnlyList<string> inputs)
    {
        if (inputs.Count is < 1 or > 2) throw new OnnxExportException($"TransformerEncoder takes [x] or [x, keyPaddingMask], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        string x = inputs[0];
        foreach (var layer in encoder.Layers) x = ctx.Export(layer, inputs.Count == 2 ? [x, inputs[1]] : [x])[0];
        if (encoder.Norm is not null) x = ctx.Export(encoder.Norm, [x])[0];
        if (inputs.Count == 2 && ctx.HasSamples(inputs[0], inputs[1]))
            ctx.SetSample(x, encoder.Forward(ctx.Sample(inputs[0]), null, ctx.Sample(inputs[1])));
        return [x];
    }

    private static string DecoderLayer(OnnxExportContext ctx, TransformerDecoderLayer layer, string x, string memory)
    {
        bool causal = ctx.Options.DecoderSelfAttentionIsCausal;
        string SelfAttention(string h) =>
            ctx.ExportWith(layer.SelfAttn, [h], (c, m, i) => [Attention(c, (MultiheadAttention)m, i[0], i[0], i[0], causal)])[0];
        string Cross(string h) => ctx.Export(layer.MultiheadAttn, [h, memory, memory])[0];
        string FeedForward(string h) => ctx.Export(layer.Linear2, [Activate(ctx, layer.Activation, ctx.Export(layer.Linear1, [h])[0])])[0];
        string Norm(LayerNorm n, string h) => ctx.Export(n, [h])[0];
        if (layer.NormFirst)
        {
            x = ctx.Node("Add", [x, SelfAttention(Norm(layer.Norm1, x))]);
            x = ctx.Node("Add", [x, Cross(Norm(layer.Norm2, x))]);
            return ctx.Node("Add", [x, FeedForward(Norm(layer.Norm3, x))]);
        }
        x = Norm(layer.Norm1, ctx.Node("Add", [x, SelfAttention(x)]));
        x = Norm(layer.Norm2, ctx.Node("Add", [x, Cross(x)]));
        return Norm(layer.Norm3, ctx.Node("Add", [x, FeedForward(x)]));
    }

    // Inputs: [target, memory].
    private static IReadOnlyList<string> ExportDecoderLayer(OnnxExportContext ctx, TransformerDecoderLayer layer, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 2) throw new OnnxExportException($"TransformerDecoderLayer takes [target, memory], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        string y = DecoderLayer(ctx, layer, inputs[0], inputs[1]);
        if (ctx.HasSamples(inputs[0], inputs[1]))
            ctx.SetSample(y, layer.Forward(ctx.Sample(inputs[0]), ctx.Sample(inputs[1]), tgtIsCausal: ctx.Options.DecoderSelfAttentionIsCausal));
        return [y];
    }

    private static IReadOnlyList<string> ExportDecoder(OnnxExportContext ctx, TransformerDecoder decoder, IReadOnlyList<string> inputs)
    {
        if (inputs.Count != 2) throw new OnnxExportException($"TransformerDecoder takes [target, memory], got {inputs.Count} inputs.", modulePath: ctx.ModulePath);
        string x = inputs[0];
        foreach (var layer in decoder.Layers) x = ctx.Export(layer, [x, inputs[1]])[0];
        if (decoder.Norm is not null) x = ctx.Export(decoder.Norm, [x])[0];
        if (ctx.HasSamples(inputs[0], inputs[1]))
            ctx.SetSample(x, decoder.Forward(ctx.Sample(inputs[0]), ctx.Sample(inputs[1]), tgtIsCausal: ctx.Options.DecoderSelfAttentionIsCausal));
        return [x];
    }

    // x + table[:L] (unsqueezed to [L, 1, d] unless batch-first), L read from x's shape at run time.
    private static string AddPositions(OnnxExportContext ctx, string x, string table, bool batchFirst)
    {
        int seqAxis = batchFirst ? 1 : 0;
        string length = CoreExporters.ShapeSlice(ctx, ctx.Node("Shape", [x]), seqAxis, seqAxis + 1);
        string rows = ctx.Node("Slice", [table, ctx.Builder.AddInt64s("starts", 0), length, ctx.Builder.AddInt64s("axes", 0)]);
        if (!batchFirst) rows = ctx.Node("Unsqueeze", [rows, ctx.Builder.AddInt64s("axes", 1)]);
        return ctx.Node("Add", [x, rows]);
    }
}
