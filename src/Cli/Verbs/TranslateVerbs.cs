using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Estimators.Vision;
using MLNetDeep.Estimators.Translation;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// <c>translate train</c>, <c>translate evaluate</c> and <c>translate MODEL "text"</c>: the Seq2Seq translator on
/// line-aligned, pre-tokenized parallel files.
/// </summary>
public sealed class TranslateVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var modelArg = new Argument<FileInfo>("model") { Description = "A model written by 'translate train'.", Arity = ArgumentArity.ZeroOrOne };
        var textArg = new Argument<string[]>("text") { Description = "Sentences to translate (pre-tokenized, words separated by spaces).", Arity = ArgumentArity.ZeroOrMore };
        var beamOpt = new Option<int?>("--beam-size") { Description = "Beam width (default: the model's; 1 = greedy)." };
        var nBestOpt = new Option<int?>("--n-best") { Description = "Print the K best translations with their scores (score<TAB>text, one sentence's block after another); widens the beam to K if needed." };
        var translate = new Command("translate", "Train, evaluate and run sequence-to-sequence translators (translate MODEL.zip \"text\").");
        translate.Add(modelArg);
        translate.Add(textArg);
        translate.Add(beamOpt);
        translate.Add(nBestOpt);
        translate.SetAction(r =>
        {
            var file = r.GetValue(modelArg);
            if (file is null) { Console.Error.WriteLine("translate: give a model and text, or a subcommand (train, evaluate); see --help."); return 2; }
            var model = Load(file, r.GetValue(beamOpt));
            var text = r.GetValue(textArg) ?? [];
            if (r.GetValue(nBestOpt) is int k)
            {
                if (k < 1) { Console.Error.WriteLine($"translate: --n-best must be at least 1, got {k}."); return 2; }
                foreach (var hyps in model.TranslateNBest(text, k))
                    foreach (var h in hyps) Console.WriteLine(FormattableString.Invariant($"{h.Score:F4}\t{h.Text}"));
                return 0;
            }
            foreach (var line in model.Translate(text)) Console.WriteLine(line);
            return 0;
        });
        translate.Add(TrainCommand());
        translate.Add(EvaluateCommand(beamOpt));
        translate.Add(ExportCommand());
        root.Add(translate);
    }

    private static Seq2SeqTransformer Load(FileInfo file, int? beam)
    {
        var loaded = new DeepContext(1).Model.Load(file.FullName, out _);
        var model = loaded as Seq2SeqTransformer ?? throw new InvalidOperationException($"'{file.FullName}' holds a {loaded.GetType().Name}, not a translator.");
        return beam is int b ? model.WithDecoding(b) : model;
    }

    private static Command TrainCommand()
    {
        var d = Seq2SeqOptions.Defaults.EmbeddingDimension;
        var source = new Option<FileInfo>("--source") { Description = "Training source sentences, one per line.", Required = true };
        var target = new Option<FileInfo>("--target") { Description = "Training target sentences, line-aligned with --source.", Required = true };
        var validSource = new Option<FileInfo?>("--valid-source") { Description = "Validation source sentences (per-epoch loss and BLEU)." };
        var validTarget = new Option<FileInfo?>("--valid-target") { Description = "Validation target sentences." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (.zip); written atomically.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "NumberOfEpochs.", DefaultValueFactory = _ => Seq2SeqOptions.Defaults.NumberOfEpochs };
        var batch = new Option<int>("--batch-size") { Description = "Sentence pairs per step.", DefaultValueFactory = _ => Seq2SeqOptions.Defaults.BatchSize };
        var lr = new Option<double>("--learning-rate") { Description = "Initial learning rate.", DefaultValueFactory = _ => Seq2SeqOptions.Defaults.LearningRate };
        var lrDecay = new Option<double>("--learning-rate-decay") { Description = "Factor on the learning rate after each epoch.", DefaultValueFactory = _ => 1 };
        var optimizer = new Option<ImageOptimizer>("--optimizer") { Description = "Adam or SgdMomentum.", DefaultValueFactory = _ => ImageOptimizer.Adam };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum (with --optimizer SgdMomentum).", DefaultValueFactory = _ => 0.9 };
        var schedule = new Option<LearningRateSchedule>("--schedule") { Description = "Learning-rate schedule: Constant, Cosine or Step (x0.1 every third of the epochs).", DefaultValueFactory = _ => LearningRateSchedule.Constant };
        var clip = new Option<double>("--clip") { Description = "Maximum gradient norm (0: off).", DefaultValueFactory = _ => Seq2SeqOptions.Defaults.GradientClipNorm };
        var cell = new Option<Seq2SeqCell>("--cell") { Description = "Gru or Lstm.", DefaultValueFactory = _ => Seq2SeqCell.Gru };
        var attention = new Option<Seq2SeqAttentionKind>("--attention") { Description = "None, LuongDot, LuongGeneral or Bahdanau.", DefaultValueFactory = _ => Seq2SeqAttentionKind.LuongDot };
        var layers = new Option<int>("--layers") { Description = "Recurrent layers.", DefaultValueFactory = _ => 1 };
        var bidi = new Option<bool>("--bidirectional") { Description = "Bidirectional encoder." };
        var emb = new Option<int>("--embedding-dimension") { Description = "Embedding width.", DefaultValueFactory = _ => d };
        var hidden = new Option<int>("--hidden-size") { Description = "Recurrent state width.", DefaultValueFactory = _ => Seq2SeqOptions.Defaults.HiddenSize };
        var dropout = new Option<double>("--dropout") { Description = "Dropout on embeddings and attentional outputs." };
        var forcing = new Option<double>("--teacher-forcing") { Description = "Teacher-forcing ratio (1: fast whole-sequence decoder).", DefaultValueFactory = _ => 1 };
        var minCount = new Option<int>("--min-count") { Description = "Words seen fewer times become <unk>.", DefaultValueFactory = _ => 1 };
        var shared = new Option<bool>("--shared-vocabulary") { Description = "One vocabulary for both languages." };
        var beam = new Option<int>("--beam-size") { Description = "Beam width saved with the model (1: greedy).", DefaultValueFactory = _ => 1 };
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "Beam ranking: log-probability / length^penalty.", DefaultValueFactory = _ => 1 };
        var maxLength = new Option<int>("--max-target-length") { Description = "Longest translation.", DefaultValueFactory = _ => Seq2SeqOptions.Defaults.MaxTargetLength };
        var patience = new Option<int>("--early-stopping") { Description = "Stop after this many epochs without validation-loss improvement (0: off)." };
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Checkpoint file written every epoch; an existing one is resumed." };
        var curve = new Option<FileInfo?>("--curve") { Description = "Write the per-epoch training curve (SVG, or HTML for .html)." };
        var seed = new Option<int>("--seed") { Description = "Seed (same seed, same model).", DefaultValueFactory = _ => 1 };
        var train = new Command("train", "Train a GRU/LSTM encoder–decoder with attention on parallel files.");
        foreach (var o in new Option[] { source, target, validSource, validTarget, output, epochs, batch, lr, lrDecay, optimizer, momentum, schedule, clip, cell, attention, layers, bidi, emb, hidden, dropout, forcing, minCount, shared, beam, lengthPenalty, maxLength, patience, checkpoint, curve, seed })
            train.Add(o);
        train.SetAction(r =>
        {
            var ctx = new DeepContext(r.GetValue(seed));
            ctx.Log += (_, e) => Console.WriteLine($"[{e.Source}] {e.Message}");
            var data = ctx.Data.LoadFromParallelText(r.GetValue(source)!.FullName, r.GetValue(target)!.FullName);
            IDataView? valid = r.GetValue(validSource) is { } vs && r.GetValue(validTarget) is { } vt ? ctx.Data.LoadFromParallelText(vs.FullName, vt.FullName) : null;
            var trainer = ctx.Translation.Trainers.Seq2Seq(new Seq2SeqOptions
            {
                NumberOfEpochs = r.GetValue(epochs),
                BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr),
                LearningRateDecay = r.GetValue(lrDecay),
                Optimizer = r.GetValue(optimizer),
                Momentum = r.GetValue(momentum),
                Schedule = r.GetValue(schedule),
                GradientClipNorm = r.GetValue(clip),
                Cell = r.GetValue(cell),
                Attention = r.GetValue(attention),
                NumberOfLayers = r.GetValue(layers),
                BidirectionalEncoder = r.GetValue(bidi),
                EmbeddingDimension = r.GetValue(emb),
                HiddenSize = r.GetValue(hidden),
                Dropout = r.GetValue(dropout),
                TeacherForcingRatio = r.GetValue(forcing),
                MinimumCount = r.GetValue(minCount),
                SharedVocabulary = r.GetValue(shared),
                BeamSize = r.GetValue(beam),
                LengthPenalty = r.GetValue(lengthPenalty),
                MaxTargetLength = r.GetValue(maxLength),
                EarlyStoppingPatience = r.GetValue(patience),
                CheckpointPath = r.GetValue(checkpoint)?.FullName,
                Seed = r.GetValue(seed),
                ProgressInterval = 0,
            });
            var model = trainer.Fit(data, valid);
            string path = r.GetValue(output)!.FullName;
            ctx.Model.Save(model, data.Schema, path);
            Console.WriteLine($"saved {path}");
            if (r.GetValue(curve) is { } c)
            {
                TrainingCurve.Write(c.FullName, model.TrainingHistory);
                Console.WriteLine($"training curve {c.FullName}");
            }
            return 0;
        });
        return train;
    }

    private static Command ExportCommand()
    {
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'translate train'." };
        var output = new Option<DirectoryInfo>("--output-dir", "-o") { Description = "Folder for encoder.onnx, decoder.onnx, source.vocab and target.vocab (one token per line, line i = id i).", Required = true };
        var export = new Command("export-onnx", "Export the encoder and decoder-step ONNX graphs and the vocabularies (see docs/translation.md for the decoding loop).");
        export.Add(model);
        export.Add(output);
        export.SetAction(r =>
        {
            var translator = Load(r.GetValue(model)!, null);
            var dir = r.GetValue(output)!;
            dir.Create();
            Seq2SeqOnnxExport.Export(translator.Network, Path.Combine(dir.FullName, "encoder.onnx"), Path.Combine(dir.FullName, "decoder.onnx"));
            File.WriteAllLines(Path.Combine(dir.FullName, "source.vocab"), translator.SourceVocabulary.Vocabulary.Terms);
            File.WriteAllLines(Path.Combine(dir.FullName, "target.vocab"), translator.TargetVocabulary.Vocabulary.Terms);
            Console.WriteLine($"wrote encoder.onnx, decoder.onnx, source.vocab, target.vocab to {dir.FullName}");
            return 0;
        });
        return export;
    }

    private static Command EvaluateCommand(Option<int?> beamOpt)
    {
        var model = new Argument<FileInfo>("model") { Description = "A model written by 'translate train'." };
        var source = new Option<FileInfo>("--source") { Description = "Test source sentences.", Required = true };
        var target = new Option<FileInfo>("--target") { Description = "Reference translations, line-aligned.", Required = true };
        var hypotheses = new Option<FileInfo?>("--write") { Description = "Also write the translations to this file." };
        var evaluate = new Command("evaluate", "Corpus BLEU (4-gram, brevity penalty) of a translator on a test set.");
        evaluate.Add(model);
        evaluate.Add(source);
        evaluate.Add(target);
        evaluate.Add(hypotheses);
        evaluate.Add(beamOpt);
        evaluate.SetAction(r =>
        {
            var ctx = new DeepContext(1);
            var translator = Load(r.GetValue(model)!, r.GetValue(beamOpt));
            var data = ctx.Data.LoadFromParallelText(r.GetValue(source)!.FullName, r.GetValue(target)!.FullName, translator.SourceColumnName, "Reference");
            var scored = translator.Transform(data);
            var metrics = ctx.Translation.Evaluate(scored, "Reference", translator.OutputColumnName);
            if (r.GetValue(hypotheses) is { } h) File.WriteAllLines(h.FullName, scored.GetColumn<string>(translator.OutputColumnName));
            Console.WriteLine($"{metrics.Sentences} sentences, beam {translator.BeamSize}: {metrics}");
            return 0;
        });
        return evaluate;
    }
}
