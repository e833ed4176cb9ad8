using System.CommandLine;
using MLNetDeep.Data;

namespace MLNetDeep.Cli.Verbs;

/// <summary>Options naming a delimited file of labelled text (label and text fields) and loading it as Label/Text columns.</summary>
internal sealed class LabelledTextFileOptions
{
    public Option<FileInfo> Data { get; } = new("--data", "-d") { Description = "Delimited text file (TSV by default) with one example per line.", Required = true };
    public Option<int> LabelField { get; } = new("--label-field") { Description = "Zero-based field index of the label (any text; classes are learned from the data).", DefaultValueFactory = _ => 0 };
    public Option<int> TextField { get; } = new("--text-field") { Description = "Zero-based field index of the text.", DefaultValueFactory = _ => 1 };
    public Option<char> Separator { get; } = new("--separator") { Description = "Field separator character (use ',' for CSV).", DefaultValueFactory = _ => '\t' };
    public Option<bool> HasHeader { get; } = new("--has-header") { Description = "The first line is a header and is skipped." };

    public void AddTo(Command c)
    {
        c.Add(Data);
        c.Add(LabelField);
        c.Add(TextField);
        c.Add(Separator);
        c.Add(HasHeader);
    }

    public IDataView Load(DeepContext ctx, ParseResult r) => ctx.Data.LoadFromTextFile(r.GetValue(Data)!.FullName,
        [new TextLoaderColumn("Label", DataKind.String, r.GetValue(LabelField)), new TextLoaderColumn("Text", DataKind.String, r.GetValue(TextField))],
        new TextLoaderOptions { Separators = [r.GetValue(Separator)], HasHeader = r.GetValue(HasHeader) });
}
