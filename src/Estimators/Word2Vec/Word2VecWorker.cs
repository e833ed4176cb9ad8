using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// One training thread's SGD loop: subsamples a batch of sentences, shrinks the window at random per
/// centre word, and applies CBOW or skip-gram updates with negative sampling and/or hierarchical
/// softmax straight to the shared arrays. Its buffers are allocated once; the loop allocates nothing.
/// </summary>
internal sealed class Word2VecWorker
{
    private readonly Word2VecTables _t;
    private readonly bool _skipGram, _hs;
    private readonly int _negative, _window, _dim;
    private readonly float[] _hidden, _error;
    private int[] _sentence = new int[1024];
    private Word2VecRandom _rng;

    public Word2VecWorker(Word2VecTables tables, Word2VecOptions o, ulong seed)
    {
        _t = tables;
        _skipGram = o.Architecture == Word2VecArchitecture.SkipGram;
        _hs = o.HierarchicalSoftmax;
        _negative = o.NegativeSamples;
        _window = o.Window;
        _dim = o.VectorSize;
        _hidden = new float[_dim];
        _error = new float[_dim];
        _rng = new Word2VecRandom(seed);
    }

    /// <summary>Trains on a batch: word ids, and the end (exclusive) of each sentence in it.</summary>
    public void Train(ReadOnlySpan<int> words, ReadOnlySpan<int> sentenceEnds, float alpha)
    {
        int start = 0;
        foreach (int end in sentenceEnds)
        {
            if (end - start > _sentence.Length) _sentence = new int[end - start];
            int n = 0;
            var keep = _t.KeepProbability;
            for (int i = start; i < end; i++)
            {
                int w = words[i];
                if (keep[w] < 1f && keep[w] < _rng.NextFloat()) continue;
                _sentence[n++] = w;
            }
            start = end;
            var sentence = _sentence.AsSpan(0, n);
            for (int pos = 0; pos < n; pos++)
            {
                int reach = _window - _rng.NextInt(_window);
                int lo = Math.Max(0, pos - reach), hi = Math.Min(n - 1, pos + reach);
                if (_skipGram) SkipGram(sentence, pos, lo, hi, alpha);
                else Cbow(sentence, pos, lo, hi, alpha);
            }
        }
    }

    private void SkipGram(ReadOnlySpan<int> sentence, int pos, int lo, int hi, float alpha)
    {
        int word = sentence[pos];
        ref float input = ref MemoryMarshal.GetArrayDataReference(_t.Input);
        ref float error = ref MemoryMarshal.GetArrayDataReference(_error);
        for (int j = lo; j <= hi; j++)
        {
            if (j == pos) continue;
            ref float context = ref Unsafe.Add(ref input, (nint)sentence[j] * _dim);
            Array.Clear(_error);
            Predict(ref context, ref error, word, alpha);
            Word2VecKernels.Axpy(1f, ref error, ref context, _dim);
        }
    }

    private void Cbow(ReadOnlySpan<int> sentence, int pos, int lo, int hi, float alpha)
    {
        ref float input = ref MemoryMarshal.GetArrayDataReference(_t.Input);
        ref float hidden = ref MemoryMarshal.GetArrayDataReference(_hidden);
        ref float error = ref MemoryMarshal.GetArrayDataReference(_error);
        Array.Clear(_hidden);
        int count = 0;
        for (int j = lo; j <= hi; j++)
        {
            if (j == pos) continue;
            Word2VecKernels.Axpy(1f, ref Unsafe.Add(ref input, (nint)sentence[j] * _dim), ref hidden, _dim);
            count++;
        }
        if (count == 0) return;
        float inv = 1f / count;
        for (int k = 0; k < _dim; k++) _hidden[k] *= inv;
        Array.Clear(_error);
        Predict(ref hidden, ref error, sentence[pos], alpha);
        for (int j = lo; j <= hi; j++)
        {
            if (j == pos) continue;
            Word2VecKernels.Axpy(1f, ref error, ref Unsafe.Add(ref input, (nint)sentence[j] * _dim), _dim);
        }
    }

    // Accumulates into error the gradient for hidden → word (HS path and/or negative samples) and updates the output weights.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Predict(ref float hidden, ref float error, int word, float alpha)
    {
        int dim = _dim;
        if (_hs)
        {
            var tree = _t.Tree!;
            ref float output = ref MemoryMarshal.GetArrayDataReference(_t.HsOutput!);
            for (int p = tree.Offsets[word], end = tree.Offsets[word + 1]; p < end; p++)
            {
                ref float row = ref Unsafe.Add(ref output, (nint)tree.Points[p] * dim);
                float f = Word2VecKernels.Dot(ref hidden, ref row, dim);
                if (f <= -Word2VecKernels.MaxExp || f >= Word2VecKernels.MaxExp) continue;
                float g = (1 - tree.Codes[p] - Word2VecKernels.Sigmoid(f)) * alpha;
                Word2VecKernels.UpdateOutput(g, ref hidden, ref row, ref error, dim);
            }
        }
        if (_negative > 0)
        {
            var threshold = _t.NoiseThreshold!;
            var alias = _t.NoiseAlias!;
            ulong words = (ulong)threshold.Length;
            ref float output = ref MemoryMarshal.GetArrayDataReference(_t.NegativeOutput!);
            for (int d = 0; d <= _negative; d++)
            {
                int target;
                float label;
                if (d == 0)
                {
                    target = word;
                    label = 1f;
                }
                else
                {
                    ulong r = _rng.Next();
                    int i = (int)(((r >> 32) * words) >> 32);
                    target = (uint)r < threshold[i] ? i : alias[i];
                    if (target == word) continue;
                    label = 0f;
                }
                ref float row = ref Unsafe.Add(ref output, (nint)target * dim);
                float f = Word2VecKernels.Dot(ref hidden, ref row, dim);
                float g = f >= Word2VecKernels.MaxExp ? label - 1f : f <= -Word2VecKernels.MaxExp ? label : label - Word2VecKernels.Sigmoid(f);
                g *= alpha;
                Word2VecKernels.UpdateOutput(g, ref hidden, ref row, ref error, dim);
            }
        }
    }
}
