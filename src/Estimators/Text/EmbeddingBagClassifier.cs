using MLNetDeep.Tensors;
using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Estimators.Text;

/// <summary>
/// A batch of token sequences in flat form: all token ids concatenated, the row each belongs to, and
/// 1 / (tokens in the row) per row (0 for empty rows).
/// </summary>
/// <param name="Ids">Token ids, zero-based, [T] int64.</param>
/// <param name="Rows">Row of each token, [T] int64.</param>
/// <param name="InverseCounts">[B, 1] float.</param>
/// <param name="Size">Rows in the batch (B).</param>
public sealed record TokenBatch(Tensor Ids, Tensor Rows, Tensor InverseCounts, int Size)
{
    /// <summary>Builds a batch from per-row key ids (1-based keys; 0 = unknown, skipped).</summary>
    public static TokenBatch FromKeys(IReadOnlyList<uint[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var ids = new List<long>();
        var owners = new List<long>();
        var inv = new float[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            int n = 0;
            foreach (uint k in rows[r])
            {
                if (k == 0) continue;
                ids.Add(k - 1);
                owners.Add(r);
                n++;
            }
            inv[r] = n == 0 ? 0f : 1f / n;
        }
        return new TokenBatch(Tensor.FromArray(ids.ToArray()), Tensor.FromArray(owners.ToArray()), Tensor.FromArray(inv, rows.Count, 1), rows.Count);
    }
}

/// <summary>Mean of token embeddings (an embedding bag) followed by an MLP: embedding → Linear → ReLU → Linear.</summary>
public sealed class EmbeddingBagClassifier : Module
{
    /// <summary>Creates the network.</summary>
    public EmbeddingBagClassifier(int vocabularySize, int embeddingDimension, int hiddenSize, int classes, Generator? generator = null)
    {
        VocabularySize = vocabularySize;
        Classes = classes;
        Embedding = RegisterModule("embedding", new Embedding(vocabularySize, embeddingDimension, generator: generator));
        Mlp = RegisterModule("mlp", new Sequential(new Linear(embeddingDimension, hiddenSize, generator: generator), new ReLU(), new Linear(hiddenSize, classes, generator: generator)));
    }

    /// <summary>Number of token ids.</summary>
    public int VocabularySize { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>The token embeddings.</summary>
    public Embedding Embedding { get; }

    /// <summary>The classifier head.</summary>
    public Sequential Mlp { get; }

    /// <summary>Logits [B, classes] for a batch.</summary>
    public Tensor Forward(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var bag = Tensor.Zeros(batch.Size, Embedding.EmbeddingDim);
        if (batch.Ids.Numel > 0) bag = bag.IndexAdd(0, batch.Rows, Embedding.Forward(batch.Ids)).Mul(batch.InverseCounts);
        return Mlp.Forward(bag);
    }
}
