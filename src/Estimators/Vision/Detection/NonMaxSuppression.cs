using System.Buffers;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// Class-wise greedy non-maximum suppression: boxes with score ≤ <see cref="ScoreThreshold"/> are dropped, then
/// within each class, in order of decreasing score, a box is kept unless its IoU with an already kept box of the
/// same class is above <see cref="IouThreshold"/>; the kept boxes of all classes are returned by decreasing score,
/// at most <see cref="MaxDetections"/> of them (torchvision's <c>batched_nms</c> followed by a top-k). Equal scores
/// keep the lower index first.
/// </summary>
public sealed class NonMaxSuppression
{
    /// <summary>Creates the post-processor.</summary>
    /// <param name="iouThreshold">Overlap above which the lower-scored box of a class is suppressed.</param>
    /// <param name="scoreThreshold">Boxes scoring at or below it are dropped first.</param>
    /// <param name="maxDetections">Most boxes returned.</param>
    public NonMaxSuppression(float iouThreshold = 0.5f, float scoreThreshold = 0.01f, int maxDetections = 100)
    {
        if (!(iouThreshold is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "Must be in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDetections);
        IouThreshold = iouThreshold;
        ScoreThreshold = scoreThreshold;
        MaxDetections = maxDetections;
    }

    /// <summary>IoU above which a box is suppressed.</summary>
    public float IouThreshold { get; }

    /// <summary>Score at or below which a box is dropped before suppression.</summary>
    public float ScoreThreshold { get; }

    /// <summary>Most boxes returned.</summary>
    public int MaxDetections { get; }

    /// <summary>Indices of the kept boxes, highest score first.</summary>
    /// <param name="boxes">n boxes, xyxy packed.</param>
    /// <param name="scores">n scores.</param>
    /// <param name="classes">n class ids (any integers; boxes of different classes never suppress each other).</param>
    public int[] Apply(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classes)
    {
        int n = BoxGeometry.Count(boxes, nameof(boxes));
        if (scores.Length != n) throw new ArgumentException($"{scores.Length} scores for {n} boxes.", nameof(scores));
        if (classes.Length != n) throw new ArgumentException($"{classes.Length} class ids for {n} boxes.", nameof(classes));
        var pool = ArrayPool<int>.Shared;
        int[] order = pool.Rent(n);
        long[] keys = ArrayPool<long>.Shared.Rent(n);
        float[] candidateScores = ArrayPool<float>.Shared.Rent(n);
        try
        {
            // 1. Candidates above the score threshold, by decreasing score (ties: lower index first).
            int c = 0;
            for (int i = 0; i < n; i++)
            {
                if (scores[i] > ScoreThreshold)
                {
                    order[c] = i;
                    candidateScores[c] = -scores[i];
                    c++;
                }
            }
            var rank = order.AsSpan(0, c);
            candidateScores.AsSpan(0, c).Sort(rank); // introsort is unstable: restore index order inside runs of equal scores
            for (int s = 0; s < c;)
            {
                int e = s + 1;
                while (e < c && candidateScores[e] == candidateScores[s]) e++;
                if (e - s > 1) rank[s..e].Sort();
                s = e;
            }
            // 2. Group by class keeping the rank order: key = (class, rank).
            for (int r = 0; r < c; r++)
                keys[r] = ((long)classes[rank[r]] << 32) | (uint)r;
            keys.AsSpan(0, c).Sort();
            // 3. Greedy suppression within each class segment; survivors are marked by their rank.
            var kept = new bool[c];
            int keptCount = 0;
            for (int s = 0; s < c;)
            {
                int cls = (int)(keys[s] >> 32);
                int e = s;
                while (e < c && (int)(keys[e] >> 32) == cls) e++;
                keptCount += SuppressSegment(boxes, rank, keys.AsSpan(s, e - s), kept);
                s = e;
            }
            // 4. Survivors in rank order, capped.
            var result = new int[Math.Min(keptCount, MaxDetections)];
            for (int r = 0, w = 0; r < c && w < result.Length; r++)
                if (kept[r]) result[w++] = rank[r];
            return result;
        }
        finally
        {
            pool.Return(order);
            ArrayPool<long>.Shared.Return(keys);
            ArrayPool<float>.Shared.Return(candidateScores);
        }
    }

    private int SuppressSegment(ReadOnlySpan<float> boxes, ReadOnlySpan<int> rank, ReadOnlySpan<long> segment, bool[] kept)
    {
        int count = 0;
        int[] survivors = ArrayPool<int>.Shared.Rent(segment.Length);
        try
        {
            foreach (long key in segment)
            {
                int r = (int)(uint)key;
                int i = rank[r];
                float x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
                float area = (x2 - x1) * (y2 - y1);
                bool suppressed = false;
                for (int t = 0; t < count && !suppressed; t++)
                {
                    int k = survivors[t];
                    float iw = MathF.Max(0, MathF.Min(x2, boxes[4 * k + 2]) - MathF.Max(x1, boxes[4 * k]));
                    float ih = MathF.Max(0, MathF.Min(y2, boxes[4 * k + 3]) - MathF.Max(y1, boxes[4 * k + 1]));
                    float inter = iw * ih;
                    float union = area + (boxes[4 * k + 2] - boxes[4 * k]) * (boxes[4 * k + 3] - boxes[4 * k + 1]) - inter;
                    suppressed = union > 0 && inter / union > IouThreshold;
                }
                if (suppressed) continue;
                survivors[count++] = i;
                kept[r] = true;
            }
            return count;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(survivors);
        }
    }
}
