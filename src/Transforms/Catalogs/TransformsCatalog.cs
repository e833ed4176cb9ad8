using MLNetDeep.Conversion;
using MLNetDeep.Text;

namespace MLNetDeep;

/// <summary>Data transforms, grouped as in ML.NET.</summary>
public sealed partial class TransformsCatalog : CatalogBase
{
    internal TransformsCatalog(DeepContext context) : base(context)
    {
        Text = new TextTransforms(context);
        Image = new ImageTransforms(context);
        Conversion = new ConversionTransforms(context);
    }

    /// <summary>Text transforms: tokenizers, normalization.</summary>
    public TextTransforms Text { get; }

    /// <summary>Image transforms (filled by the vision issues as extension methods or partial members).</summary>
    public ImageTransforms Image { get; }

    /// <summary>Conversions: value ↔ key.</summary>
    public ConversionTransforms Conversion { get; }

    /// <summary>Text transforms.</summary>
    public sealed class TextTransforms : CatalogBase
    {
        internal TextTransforms(DeepContext context) : base(context) { }

        /// <summary>Splits <paramref name="inputColumnName"/> (Text) into words (Vector&lt;Text&gt;).</summary>
        /// <param name="outputColumnName">Output column.</param>
        /// <param name="inputColumnName">Input column (default: the output name).</param>
        /// <param name="separators">Separators; null: any whitespace.</param>
        public TrivialEstimator<WordTokenizingTransformer> TokenizeIntoWords(string outputColumnName, string? inputColumnName = null, char[]? separators = null) =>
            new(new WordTokenizingTransformer([(outputColumnName, inputColumnName ?? outputColumnName)], separators));

        /// <summary>Splits <paramref name="inputColumnName"/> (Text) into characters (Vector&lt;Text&gt;).</summary>
        /// <param name="outputColumnName">Output column.</param>
        /// <param name="inputColumnName">Input column (default: the output name).</param>
        /// <param name="useMarkerCharacters">Add start/end markers.</param>
        public TrivialEstimator<CharacterTokenizingTransformer> TokenizeIntoCharacters(string outputColumnName, string? inputColumnName = null, bool useMarkerCharacters = false) =>
            new(new CharacterTokenizingTransformer([(outputColumnName, inputColumnName ?? outputColumnName)], useMarkerCharacters));

        /// <summary>Changes case (and optionally drops punctuation) of Text or Vector&lt;Text&gt;.</summary>
        /// <param name="outputColumnName">Output column.</param>
        /// <param name="inputColumnName">Input column (default: the output name).</param>
        /// <param name="caseMode">Case conversion (default lower).</param>
        /// <param name="keepPunctuations">Keep punctuation characters.</param>
        public TrivialEstimator<TextNormalizingTransformer> NormalizeText(string outputColumnName, string? inputColumnName = null, CaseMode caseMode = CaseMode.Lower, bool keepPunctuations = true) =>
            new(new TextNormalizingTransformer([(outputColumnName, inputColumnName ?? outputColumnName)], caseMode, keepPunctuations));
    }

    /// <summary>Image transforms; the vision issues add members here.</summary>
    public sealed partial class ImageTransforms : CatalogBase
    {
        internal ImageTransforms(DeepContext context) : base(context) { }
    }

    /// <summary>Conversions between values and keys.</summary>
    public sealed class ConversionTransforms : CatalogBase
    {
        internal ConversionTransforms(DeepContext context) : base(context) { }

        /// <summary>Learns a vocabulary of <paramref name="inputColumnName"/> (Text or Vector&lt;Text&gt;) and maps values to key ids.</summary>
        /// <param name="outputColumnName">Output column (Key or Vector&lt;Key&gt;).</param>
        /// <param name="inputColumnName">Input column (default: the output name).</param>
        /// <param name="maximumNumberOfKeys">Largest vocabulary, special tokens included.</param>
        /// <param name="minimumCount">Terms seen fewer times are dropped.</param>
        public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null, int maximumNumberOfKeys = 1_000_000, long minimumCount = 1) =>
            MapValueToKey(outputColumnName, inputColumnName, new ValueToKeyMappingOptions { MaximumNumberOfKeys = maximumNumberOfKeys, MinimumCount = minimumCount });

        /// <summary>Learns a vocabulary with full options (special tokens, unknown token, ordering).</summary>
        /// <param name="outputColumnName">Output column.</param>
        /// <param name="inputColumnName">Input column (default: the output name).</param>
        /// <param name="options">Vocabulary options.</param>
        public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName, ValueToKeyMappingOptions options) =>
            new([(outputColumnName, inputColumnName ?? outputColumnName)], options);

        /// <summary>Maps key ids back to their values (Key → Text, Vector&lt;Key&gt; → Vector&lt;Text&gt;).</summary>
        /// <param name="outputColumnName">Output column.</param>
        /// <param name="inputColumnName">Input column (default: the output name).</param>
        public TrivialEstimator<KeyToValueMappingTransformer> MapKeyToValue(string outputColumnName, string? inputColumnName = null) =>
            new(new KeyToValueMappingTransformer([(outputColumnName, inputColumnName ?? outputColumnName)]));
    }
}
