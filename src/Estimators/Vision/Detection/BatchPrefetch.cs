using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace MLNetDeep.Estimators.Vision.Detection;

/// <summary>
/// Runs an enumeration on a background thread, up to <c>depth</c> items ahead of its consumer, so reading and
/// preparing the next batches (decoding or generating images, resizing) overlaps the training step instead of
/// adding to it. Items come in the source's order; an exception of the source is rethrown to the consumer with its
/// type and stack; stopping early (a break, an exception, cancellation) stops the thread before the enumeration ends.
/// </summary>
internal static class BatchPrefetch
{
    /// <summary>The items of <paramref name="source"/>, produced on a background thread.</summary>
    public static IEnumerable<T> Run<T>(IEnumerable<T> source, int depth, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        return Iterate(source, depth, token);
    }

    private static IEnumerable<T> Iterate<T>(IEnumerable<T> source, int depth, CancellationToken token)
    {
        using var queue = new BlockingCollection<T>(depth);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                foreach (var item in source)
                    queue.Add(item, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                queue.CompleteAdding();
            }
        }) { IsBackground = true, Name = "batch prefetch" };
        thread.Start();
        try
        {
            foreach (var item in queue.GetConsumingEnumerable(token))
                yield return item;
            // A cancelled token also stops the producer, which completes the queue: the consumer may then find it
            // complete and empty before it notices the token, so an end of the items is checked against it.
            token.ThrowIfCancellationRequested();
            thread.Join();
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            thread.Join();
        }
    }
}
