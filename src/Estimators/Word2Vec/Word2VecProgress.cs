namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>Progress of a word2vec training run (reported about every second of training and at each epoch end).</summary>
/// <param name="Epoch">Current epoch, 1-based.</param>
/// <param name="NumberOfEpochs">Epochs in the run.</param>
/// <param name="WordsProcessed">In-vocabulary words trained on so far, all epochs (before subsampling).</param>
/// <param name="WordsPerSecond">Average training speed so far (in-vocabulary words per second).</param>
/// <param name="LearningRate">The current (linearly decaying) learning rate.</param>
/// <param name="Elapsed">Time since training began.</param>
/// <param name="IsEpochEnd">True for the report that closes an epoch.</param>
public sealed record Word2VecProgress(int Epoch, int NumberOfEpochs, long WordsProcessed, double WordsPerSecond, double LearningRate, TimeSpan Elapsed, bool IsEpochEnd);
