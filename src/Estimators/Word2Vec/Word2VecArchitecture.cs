namespace MLNetDeep.Estimators.Word2Vec;

/// <summary>Which word2vec model is trained.</summary>
public enum Word2VecArchitecture
{
    /// <summary>Continuous bag of words: the mean of the context vectors predicts the centre word (gensim sg=0).</summary>
    Cbow,

    /// <summary>Skip-gram: the centre word's context words each predict it (gensim sg=1).</summary>
    SkipGram,
}
