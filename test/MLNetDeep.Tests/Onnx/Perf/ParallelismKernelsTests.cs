using MLNetDeep.Tensors.Kernels;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Perf;

/// <summary>
/// <see cref="Parallelism.For(int, int, Action{int, int})"/> with two threads: every index is covered exactly
/// once whether the pool thread starts early or late (the caller may take both halves), and an exception
/// from either half reaches the caller.
/// </summary>
[TestFixture]
public sealed class ParallelismKernelsTests
{
    [Test]
    public void TwoChunksCoverEveryIndexOnce()
    {
        int saved = Parallelism.NumThreads;
        try
        {
            Parallelism.NumThreads = 2;
            foreach (int count in new[] { 2, 3, 17, 1000 })
            for (int round = 0; round < 200; round++)
            {
                var hits = new int[count];
                Parallelism.For(count, 1, (s, e) =>
                {
                    if (round % 2 == 1) Thread.SpinWait(2000); // let the pool thread win sometimes
                    for (int i = s; i < e; i++) Interlocked.Increment(ref hits[i]);
                });
                Assert.That(hits, Is.All.EqualTo(1), $"count {count}, round {round}");
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }

    [Test]
    public void ExceptionsFromEitherHalfPropagate()
    {
        int saved = Parallelism.NumThreads;
        try
        {
            Parallelism.NumThreads = 2;
            for (int round = 0; round < 50; round++)
            {
                Assert.Throws<InvalidOperationException>(() => Parallelism.For(10, 1, (s, e) =>
                {
                    if (s > 0) throw new InvalidOperationException("second half");
                }));
                Assert.Throws<InvalidOperationException>(() => Parallelism.For(10, 1, (s, e) =>
                {
                    if (s == 0) throw new InvalidOperationException("first half");
                }));
            }
        }
        finally { Parallelism.NumThreads = saved; }
    }
}
