using System.CommandLine;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using Spectre.Console;

namespace MLNetDeep.Cli.Verbs;

/// <summary>Generic model verbs: <c>info</c> (what a model file holds) and <c>predict</c> (score one text).</summary>
public sealed class ModelVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Estimators.EstimatorsRegistration.EnsureRegistered();

        var model = new Option<FileInfo>("--model", "-m") { Description = "Path of a .zip model file written by 'train' or ctx.Model.Save.", Required = true };
        var info = new Command("info", "Show the input schema, the components and the output columns of a model file.") { model };
        info.SetAction(r => Info(r.GetValue(model)!));
        root.Add(info);

        var predictModel = new Option<FileInfo>("--model", "-m") { Description = "Path of the .zip model file to score with.", Required = true };
        var text = new Option<string>("--text", "-t") { Description = "The example's text.", Required = true };
        var column = new Option<string>("--column", "-c") { Description = "Input column the text fills (other inputs stay empty); default 'Text', else the model's first Text column." };
        var predict = VerbGroups.Verb(root, "predict");
        predict.Add(predictModel);
        predict.Add(text);
        predict.Add(column);
        predict.SetAction(r => Predict(r.GetValue(predictModel)!, r.GetValue(text)!, r.GetValue(column)));
    }

    private static int Info(FileInfo path)
    {
        var loaded = ModelArchive.Load(path.FullName, out var schema);
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(path.Name)}[/]: input columns {Markup.Escape(schema.Describe())}");
        var components = loaded is TransformerChain<ITransformer> chain ? chain.Transformers : [loaded];
        foreach (var t in components) AnsiConsole.MarkupLine($"  • {Markup.Escape(t.GetType().Name)}");
        var output = loaded.GetOutputSchema(schema);
        AnsiConsole.MarkupLine($"output columns: {Markup.Escape(output.Describe())}");
        return 0;
    }

    private static int Predict(FileInfo path, string text, string? columnName)
    {
        var loaded = ModelArchive.Load(path.FullName, out var schema);
        var firstText = (columnName is not null ? schema[columnName] : null)
            ?? schema.GetColumnOrNull("Text") ?? schema.FirstOrDefault(c => c.Type is TextDataViewType)
            ?? throw new SchemaMismatchException("(text)", $"The model takes no Text column (its input is {schema.Describe()}); 'predict --text' needs one.");
        var input = new SingleTextRowView(schema, firstText.Name, text);
        var scored = loaded.Transform(input);
        using var cursor = scored.GetRowCursor();
        if (!cursor.MoveNext()) return 1;
        var table = new Table().AddColumns("column", "value");
        foreach (var c in scored.Schema)
        {
            if (schema.GetColumnOrNull(c.Name) is not null) continue;
            table.AddRow(Markup.Escape(c.Name), Markup.Escape(Format(cursor.GetValue(c.Index), c)));
        }
        AnsiConsole.Write(table);
        return 0;
    }

    private static string Format(object value, DataViewSchema.Column column) => value switch
    {
        uint k when column.KeyValues is { } names && k >= 1 && k <= names.Count => $"{names[(int)k - 1]} (key {k})",
        float[] f => string.Join(", ", f.Select(x => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))),
        uint[] ids => string.Join(" ", ids),
        string[] s => string.Join(" | ", s),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>One row matching a model's input schema: the text in one Text column, defaults elsewhere.</summary>
    private sealed class SingleTextRowView(DataViewSchema schema, string column, string text) : IDataView
    {
        public string Column => column;

        public string Text => text;

        public DataViewSchema Schema => schema;

        public bool CanShuffle => false;

        public long? GetRowCount() => 1;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) => new Cursor(this);

        private sealed class Cursor(SingleTextRowView view) : DataViewRowCursor
        {
            private long _position = -1;

            public override DataViewSchema Schema => view.Schema;

            public override long Position => _position;

            public override bool MoveNext() => ++_position == 0;

            public override object GetValue(int columnIndex)
            {
                var c = view.Schema[columnIndex];
                if (c.Name == view.Column) return view.Text;
                return c.Type switch
                {
                    TextDataViewType => string.Empty,
                    VectorDataViewType v => Array.CreateInstance(v.ItemType.RawType, v.Size),
                    _ => Activator.CreateInstance(c.Type.RawType) ?? throw new InvalidOperationException($"No default value for column '{c.Name}'."),
                };
            }
        }
    }
}
