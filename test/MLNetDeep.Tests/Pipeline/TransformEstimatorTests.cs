using MLNetDeep.Conversion;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Text;
using MLNetDeep.Text;
using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

/// <summary>Every transform and trainer through <see cref="EstimatorHarness"/>.</summary>
public class TransformEstimatorTests
{
    private static DeepContext Ctx() => new(seed: 7);

    [Test]
    public void TokenizeIntoWords()
    {
        var ctx = Ctx();
        EstimatorHarness.Check(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"), PipelineTestData.View(ctx), PipelineTestData.Invalid(ctx), "Text");
    }

    [Test]
    public void TokenizeIntoWordsWithSeparators()
    {
        var ctx = Ctx();
        EstimatorHarness.Check(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text", ['a', ' ']), PipelineTestData.View(ctx), PipelineTestData.Invalid(ctx), "Text");
    }

    [Test]
    public void TokenizeIntoCharacters()
    {
        var ctx = Ctx();
        EstimatorHarness.Check(ctx.Transforms.Text.TokenizeIntoCharacters("Chars", "Text", useMarkerCharacters: true), PipelineTestData.View(ctx), PipelineTestData.Invalid(ctx), "Text");
    }

    [Test]
    public void NormalizeTextOnTextAndTokens()
    {
        var ctx = Ctx();
        EstimatorHarness.Check(ctx.Transforms.Text.NormalizeText("Lower", "Text", CaseMode.Upper, keepPunctuations: false), PipelineTestData.View(ctx), PipelineTestData.Invalid(ctx), "Text");
        var tokens = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text").Fit(PipelineTestData.View(ctx)).Transform(PipelineTestData.View(ctx));
        EstimatorHarness.Check(ctx.Transforms.Text.NormalizeText("Words"), tokens, PipelineTestData.Invalid(ctx), "Words");
    }

    [Test]
    public void MapValueToKeyOnTextAndTokens()
    {
        var ctx = Ctx();
        EstimatorHarness.Check(ctx.Transforms.Conversion.MapValueToKey("LabelKey", "Label"), PipelineTestData.View(ctx), PipelineTestData.Invalid(ctx), "Label");
        var tokens = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text").Fit(PipelineTestData.View(ctx)).Transform(PipelineTestData.View(ctx));
        var options = new ValueToKeyMappingOptions { SpecialTokens = ["<pad>"], UnknownToken = "<unk>", MaximumNumberOfKeys = 12, MinimumCount = 2 };
        EstimatorHarness.Check(ctx.Transforms.Conversion.MapValueToKey("Ids", "Words", options), tokens, PipelineTestData.Invalid(ctx), "Words");
    }

    [Test]
    public void MapKeyToValue()
    {
        var ctx = Ctx();
        var data = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ctx.Transforms.Conversion.MapValueToKey("Ids", "Words"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("LabelKey", "Label"));
        var keyed = data.Fit(PipelineTestData.View(ctx)).Transform(PipelineTestData.View(ctx));
        var wrong = ctx.Data.LoadFromEnumerable(new[] { new WrongIds() });
        var t = EstimatorHarness.Check(ctx.Transforms.Conversion.MapKeyToValue("Back", "Ids"), keyed, wrong, "Ids");
        var back = t.Transform(keyed);
        Assert.That(back.GetColumn<string[]>("Back"), Is.EqualTo(keyed.GetColumn<string[]>("Words")), "keys map back to the original words");
        EstimatorHarness.Check(ctx.Transforms.Conversion.MapKeyToValue("LabelBack", "LabelKey"), keyed);
    }

    [Test]
    public void TextClassifier()
    {
        var ctx = Ctx();
        var featurize = ctx.Transforms.Text.NormalizeText("Text")
            .Append(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Label"));
        var data = featurize.Fit(PipelineTestData.View(ctx)).Transform(PipelineTestData.View(ctx));
        var trainer = ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { NumberOfEpochs = 2, Seed = 3, EmbeddingDimension = 8, HiddenLayerSize = 8 });
        var textTokens = ctx.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ctx.Transforms.Conversion.MapValueToKey("Label"));
        var invalid = textTokens.Fit(PipelineTestData.View(ctx)).Transform(PipelineTestData.View(ctx)); // Tokens are Text, not keys
        EstimatorHarness.Check(trainer, data, invalid, "Tokens");
        var unkeyedLabel = ctx.Transforms.Text.TokenizeIntoWords("Words", "Text").Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"));
        EstimatorHarness.ExpectMismatch(() => trainer.Fit(unkeyedLabel.Fit(PipelineTestData.View(ctx)).Transform(PipelineTestData.View(ctx))), "Label");
    }

    [Test]
    public void WholeChain()
    {
        var ctx = Ctx();
        var pipeline = ctx.Transforms.Text.NormalizeText("Text")
            .Append(ctx.Transforms.Text.TokenizeIntoWords("Words", "Text"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ctx.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ctx.Text.Trainers.TextClassifier(new TextClassifierOptions { NumberOfEpochs = 1, Seed = 3, EmbeddingDimension = 4, HiddenLayerSize = 4 }))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        EstimatorHarness.Check(pipeline, PipelineTestData.View(ctx), PipelineTestData.Invalid(ctx), "Text");
    }
}
