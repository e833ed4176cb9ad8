using MLNetDeep.Conversion;
using MLNetDeep.Data;
using MLNetDeep.Text;
using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

/// <summary>What the text transforms compute, value by value.</summary>
public class TextTransformBehaviourTests
{
    private static List<T> Run<T>(IEstimator<ITransformer> estimator, string column, params string[] texts)
    {
        var ctx = new DeepContext(1);
        var view = ctx.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t, Label = t }).ToList());
        return estimator.Fit(view).Transform(view).GetColumn<T>(column);
    }

    [Test]
    public void WordsSplitOnWhitespaceOrSeparators()
    {
        var ctx = new DeepContext(1);
        Assert.That(Run<string[]>(ctx.Transforms.Text.TokenizeIntoWords("W", "Text"), "W", " a  b\tc\n", ""), Is.EqualTo(new[] { new[] { "a", "b", "c" }, Array.Empty<string>() }));
        Assert.That(Run<string[]>(ctx.Transforms.Text.TokenizeIntoWords("W", "Text", [',']), "W", "a b,,c"), Is.EqualTo(new[] { new[] { "a b", "c" } }));
    }

    [Test]
    public void CharactersKeepSurrogatePairsWhole()
    {
        var ctx = new DeepContext(1);
        var chars = Run<string[]>(ctx.Transforms.Text.TokenizeIntoCharacters("C", "Text", useMarkerCharacters: true), "C", "日本😀a");
        Assert.That(chars[0], Is.EqualTo(new[] { CharacterTokenizingTransformer.StartMarker, "日", "本", "😀", "a", CharacterTokenizingTransformer.EndMarker }));
    }

    [Test]
    public void NormalizeCaseAndPunctuation()
    {
        var ctx = new DeepContext(1);
        Assert.That(Run<string>(ctx.Transforms.Text.NormalizeText("N", "Text"), "N", "Hello, World!"), Is.EqualTo(new[] { "hello, world!" }));
        Assert.That(Run<string>(ctx.Transforms.Text.NormalizeText("N", "Text", CaseMode.None, keepPunctuations: false), "N", "Hello, World!"), Is.EqualTo(new[] { "Hello World" }));
    }

    [Test]
    public void VocabularyLimitsSpecialTokensAndUnknown()
    {
        var ctx = new DeepContext(1);
        var options = new ValueToKeyMappingOptions { SpecialTokens = ["<pad>", "<s>"], UnknownToken = "<unk>", MaximumNumberOfKeys = 5, MinimumCount = 2 };
        var est = ctx.Transforms.Text.TokenizeIntoWords("W", "Text").Append(ctx.Transforms.Conversion.MapValueToKey("K", "W", options));
        var view = ctx.Data.LoadFromEnumerable(new[] { "b a b c", "a b d d", "e" }.Select(t => new TextRow { Text = t }).ToList());
        var model = est.Fit(view);
        var vocab = model.LastTransformer!.Vocabularies[0];
        // Specials first, then the unknown token, then by count (b:3, a:2, d:2 → a before d: first seen), capped at 5 keys; c and e are rare.
        Assert.That(vocab.Terms, Is.EqualTo(new[] { "<pad>", "<s>", "<unk>", "b", "a" }));
        var keys = model.Transform(view).GetColumn<uint[]>("K");
        Assert.That(keys[0], Is.EqualTo(new uint[] { 4, 5, 4, 3 }));
        Assert.That(keys[2], Is.EqualTo(new uint[] { 3 }));
        var schema = model.Transform(view).Schema["K"];
        Assert.That(schema.Type, Is.EqualTo(new VectorDataViewType(new KeyDataViewType(5))));
        Assert.That(schema.KeyValues, Is.EqualTo(vocab.Terms));
    }

    [Test]
    public void WithoutUnknownTokenUnseenValuesAreMissing()
    {
        var ctx = new DeepContext(1);
        var train = ctx.Data.LoadFromEnumerable(new[] { new TextRow { Label = "x" }, new TextRow { Label = "y" }, new TextRow { Label = "y" } });
        var model = ctx.Transforms.Conversion.MapValueToKey("K", "Label", new ValueToKeyMappingOptions { KeyOrdinality = KeyOrdinality.ByOccurrence }).Fit(train);
        var other = ctx.Data.LoadFromEnumerable(new[] { new TextRow { Label = "y" }, new TextRow { Label = "z" } });
        Assert.That(model.Transform(other).GetColumn<uint>("K"), Is.EqualTo(new uint[] { 2, 0 }));
        var back = ctx.Transforms.Conversion.MapKeyToValue("V", "K").Fit(model.Transform(other)).Transform(model.Transform(other));
        Assert.That(back.GetColumn<string>("V"), Is.EqualTo(new[] { "y", "" }));
    }
}
