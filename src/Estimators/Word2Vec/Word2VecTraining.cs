using System.Collections.Concurrent;
using System.Diagnostics;
using MLNetDeep.Conversion;

namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>
/// Runs word2vec training over a streamed corpus: one pass counts the vocabulary, then every epoch reads
/// the corpus again. The calling thread turns sentences into batches of about <see cref="BatchWords"/>
/// word ids (contiguous chunks of the corpus) and hands them to <c>NumberOfThreads</c> workers, which
/// update the shared vectors lock-free. The learning rate of a batch decays linearly with the words
/// dispatched before it, so it does not depend on thread timing; with one thread the run is reproducible.
/// </summary>
internal static class Word2VecTraining
{
    public const int BatchWords = 10_000;

    public static Word2VecModel Train(Func<IEnumerable<string[]>> corpus, Word2VecOptions o, int seed, string source, Action<string>? log = null)
    {
        var token = o.CancellationToken;
        var clock = Stopwatch.StartNew();
        var (vocabulary, counts) = CountVocabulary(corpus(), o, source, token);
        long wordsPerEpoch = counts.Sum();
        log?.Invoke(FormattableString.Invariant($"vocabulary: {vocabulary.Count} words ({wordsPerEpoch} occurrences) in {clock.Elapsed.TotalSeconds:F1} s"));
        var tables = new Word2VecTables(counts, o, (ulong)seed);
        int threads = o.NumberOfThreads ?? Environment.ProcessorCount;
        var workers = Enumerable.Range(0, threads).Select(t => new Word2VecWorker(tables, o, (ulong)seed * 1000003UL + (ulong)t + 1)).ToArray();
        var free = new BlockingCollection<Batch>();
        for (int i = 0; i < 2 * threads + 1; i++) free.Add(new Batch());
        var queue = new BlockingCollection<Batch>();
        long done = 0;
        Exception? failure = null;
        var threadList = workers.Select(w => new Thread(() =>
        {
            try
            {
                foreach (var b in queue.GetConsumingEnumerable())
                {
                    if (failure is null && !token.IsCancellationRequested) w.Train(b.Words.AsSpan(0, b.WordCount), b.Ends.AsSpan(0, b.SentenceCount), b.Alpha);
                    Interlocked.Add(ref done, b.WordCount);
                    b.Clear();
                    free.Add(b);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        }) { IsBackground = true, Name = "word2vec" }).ToList();
        threadList.ForEach(t => t.Start());
        long total = wordsPerEpoch * o.NumberOfEpochs, dispatched = 0;
        var trainClock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        double alpha = o.LearningRate;
        var cache = o.CorpusCacheSize > 0 ? new IdCache() : null;
        try
        {
            for (int epoch = 1; epoch <= o.NumberOfEpochs; epoch++)
            {
                var batch = free.Take(token);
                if (cache is { Complete: true })
                {
                    // Later epochs replay the ids kept in memory (small corpora) instead of reading and looking up the text again.
                    for (int s = 0, start = 0; s < cache.Ends.Count; start = cache.Ends[s], s++)
                    {
                        for (int i = start; i < cache.Ends[s]; i++) Add(cache.Words[i]);
                        batch.EndSentence();
                    }
                }
                else
                {
                    foreach (var sentence in corpus())
                    {
                        foreach (var word in sentence)
                        {
                            int id = (int)vocabulary.GetKey(word) - 1;
                            if (id < 0) continue;
                            Add(id);
                            cache?.Words.Add(id);
                        }
                        batch.EndSentence();
                        cache?.Ends.Add(cache.Words.Count);
                        if (cache is not null && cache.Words.Count > o.CorpusCacheSize) cache = null;
                    }
                    if (cache is not null) cache.Complete = true;
                }

                void Add(int id)
                {
                    batch.Add(id);
                    if (batch.WordCount == BatchWords)
                    {
                        // A full batch closes the current sentence; the rest of it continues in the next batch.
                        batch.EndSentence();
                        Dispatch(ref batch);
                    }
                }

                Dispatch(ref batch);
                free.Add(batch);
                while (Interlocked.Read(ref done) < dispatched && failure is null)
                {
                    token.ThrowIfCancellationRequested();
                    Thread.Sleep(1);
                }
                if (failure is not null) throw new InvalidOperationException($"Word2Vec: a training thread failed: {failure.Message}", failure);
                o.Progress?.Report(Progress(epoch, true));
                log?.Invoke(FormattableString.Invariant($"epoch {epoch}/{o.NumberOfEpochs}: {done / trainClock.Elapsed.TotalSeconds:F0} words/s, alpha {alpha:G4}"));

                void Dispatch(ref Batch b)
                {
                    token.ThrowIfCancellationRequested();
                    if (failure is not null) throw new InvalidOperationException($"Word2Vec: a training thread failed: {failure.Message}", failure);
                    if (b.WordCount > 0)
                    {
                        alpha = Math.Max(o.MinLearningRate, o.LearningRate - (o.LearningRate - o.MinLearningRate) * dispatched / Math.Max(1, total));
                        b.Alpha = (float)alpha;
                        dispatched += b.WordCount;
                        queue.Add(b, token);
                        b = free.Take(token);
                    }
                    else b.Clear();
                    if (o.Progress is not null && trainClock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
                    {
                        lastReport = trainClock.Elapsed;
                        o.Progress.Report(Progress(epoch, false));
                    }
                }
            }
        }
        finally
        {
            queue.CompleteAdding();
            threadList.ForEach(t => t.Join());
        }
        token.ThrowIfCancellationRequested();
        return new Word2VecModel(vocabulary.Terms, counts, tables.Input, o.VectorSize);

        Word2VecProgress Progress(int epoch, bool end)
        {
            long d = Interlocked.Read(ref done);
            return new Word2VecProgress(epoch, o.NumberOfEpochs, d, d / Math.Max(1e-9, trainClock.Elapsed.TotalSeconds), alpha, clock.Elapsed, end);
        }
    }

    /// <summary>Counts the corpus and keeps the words with at least MinCount occurrences, most frequent first (at most MaxVocabularySize).</summary>
    internal static (Vocabulary Vocabulary, long[] Counts) CountVocabulary(IEnumerable<string[]> corpus, Word2VecOptions o, string source, CancellationToken token)
    {
        var counter = new VocabularyCounter();
        long sentences = 0;
        foreach (var sentence in corpus)
        {
            if ((++sentences & 1023) == 0) token.ThrowIfCancellationRequested();
            foreach (var word in sentence) counter.Add(word);
        }
        var vocabulary = Vocabulary.Build(counter, new ValueToKeyMappingOptions
        {
            MinimumCount = o.MinCount,
            MaximumNumberOfKeys = o.MaxVocabularySize ?? int.MaxValue,
            KeyOrdinality = KeyOrdinality.ByFrequency,
        });
        if (vocabulary.Count == 0)
            throw new InvalidOperationException($"Word2Vec: {source} has no word occurring at least MinCount = {o.MinCount} times ({sentences} sentences, {counter.DistinctCount} distinct words).");
        var byTerm = counter.Entries.ToDictionary(e => e.Term, e => e.Count, StringComparer.Ordinal);
        return (vocabulary, vocabulary.Terms.Select(t => byTerm[t]).ToArray());
    }

    /// <summary>The corpus as vocabulary ids with sentence ends, kept during the first epoch while it stays under CorpusCacheSize words.</summary>
    private sealed class IdCache
    {
        public List<int> Words { get; } = [];

        public List<int> Ends { get; } = [];

        public bool Complete { get; set; }
    }

    /// <summary>A batch of word ids with sentence ends, reused between dispatches.</summary>
    private sealed class Batch
    {
        public int[] Words { get; } = new int[BatchWords];

        public int[] Ends { get; private set; } = new int[256];

        public int WordCount { get; private set; }

        public int SentenceCount { get; private set; }

        public float Alpha { get; set; }

        public void Add(int id) => Words[WordCount++] = id;

        public void EndSentence()
        {
            if (SentenceCount > 0 && Ends[SentenceCount - 1] == WordCount) return;
            if (SentenceCount == Ends.Length)
            {
                var grown = new int[Ends.Length * 2];
                Ends.CopyTo(grown, 0);
                Ends = grown;
            }
            Ends[SentenceCount++] = WordCount;
        }

        public void Clear()
        {
            WordCount = 0;
            SentenceCount = 0;
        }
    }
}
