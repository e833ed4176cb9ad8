namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// The Huffman tree of hierarchical softmax: for every word, the inner nodes on its path from the root
/// (<see cref="Points"/>, 0..words-2, each a row of the output matrix) and the branch taken at each
/// (<see cref="Codes"/>, 0 or 1). Frequent words get short paths. Paths are stored flattened: word w's
/// path is [<see cref="Offsets"/>[w], <see cref="Offsets"/>[w + 1]).
/// </summary>
internal sealed class HuffmanTree
{
    private HuffmanTree(int[] offsets, int[] points, byte[] codes)
    {
        Offsets = offsets;
        Points = points;
        Codes = codes;
    }

    public int[] Offsets { get; }

    public int[] Points { get; }

    public byte[] Codes { get; }

    /// <summary>Builds the tree for word counts (any order; ties broken by index, so the tree is deterministic).</summary>
    public static HuffmanTree Build(IReadOnlyList<long> counts)
    {
        int n = counts.Count;
        if (n == 0) return new HuffmanTree([0], [], []);
        // Nodes 0..n-1 are the words, n..2n-2 the inner nodes; parent/branch per node.
        var parent = new int[Math.Max(2 * n - 1, 1)];
        var branch = new byte[parent.Length];
        var queue = new PriorityQueue<int, (long Count, int Node)>();
        for (int i = 0; i < n; i++) queue.Enqueue(i, (counts[i], i));
        int next = n;
        while (queue.Count > 1)
        {
            queue.TryDequeue(out int a, out var pa);
            queue.TryDequeue(out int b, out var pb);
            parent[a] = next;
            parent[b] = next;
            branch[a] = 0;
            branch[b] = 1;
            queue.Enqueue(next, (pa.Count + pb.Count, next));
            next++;
        }
        int root = next - 1;
        var offsets = new int[n + 1];
        var lengths = new int[n];
        for (int w = 0; w < n; w++)
        {
            int len = 0;
            for (int node = w; node != root; node = parent[node]) len++;
            lengths[w] = len;
            offsets[w + 1] = offsets[w] + len;
        }
        var points = new int[offsets[n]];
        var codes = new byte[offsets[n]];
        for (int w = 0; w < n; w++)
        {
            // Walk up from the leaf and fill the path back to front, so it reads root first.
            int at = offsets[w + 1];
            for (int node = w; node != root; node = parent[node])
            {
                at--;
                codes[at] = branch[node];
                points[at] = parent[node] - n;
            }
        }
        return new HuffmanTree(offsets, points, codes);
    }
}
