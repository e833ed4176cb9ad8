using System.CommandLine;
using System.Globalization;
using MLNetDeep.Data;

namespace MLNetDeep.Cli.Verbs;

/// <summary><c>export-onnx MODEL.zip --output FILE.onnx</c>: a saved pipeline's exportable network to ONNX (as <c>ctx.Model.ExportOnnx</c>).</summary>
public sealed class OnnxExportVerbs : IVerbGroup
{
    /// <inheritdoc/>
    public void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Estimators.EstimatorsRegistration.EnsureRegistered();
        var zip = new Argument<FileInfo>("MODEL") { Description = "A .zip model file written by 'train' or ctx.Model.Save." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Destination .onnx file.", Required = true };
        var export = VerbGroups.Verb(root, "export-onnx");
        export.Add(zip);
        export.Add(output);
        export.SetAction(r => Guard(r, () => Export(r.GetValue(zip)!, r.GetValue(output)!, r.InvocationConfiguration.Output)));
    }

    // Expected failures print one line naming the culprit and exit with 1.
    private static int Guard(ParseResult r, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is Persistence.ModelFormatException or SchemaMismatchException or OnnxExport.OnnxExportException
                                      or IOException or ArgumentException or UnauthorizedAccessException)
        {
            r.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Export(FileInfo zip, FileInfo output, TextWriter w)
    {
        if (!zip.Exists) throw new FileNotFoundException($"Model file '{zip.FullName}' not found.", zip.FullName);
        var ctx = new DeepContext(seed: 0);
        var model = ctx.Model.Load(zip.FullName, out var schema);
        ctx.Model.ExportOnnx(model, new EmptyView(schema), output.FullName);
        w.WriteLine($"exported {zip.Name} → {output.FullName} ({new FileInfo(output.FullName).Length.ToString(CultureInfo.InvariantCulture)} bytes)");
        return 0;
    }

    /// <summary>A view with a schema and no rows (export reads only the schema).</summary>
    private sealed class EmptyView(DataViewSchema schema) : IDataView
    {
        public DataViewSchema Schema => schema;

        public bool CanShuffle => false;

        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column>? columnsNeeded = null, Random? random = null) => new Cursor(schema);

        private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
        {
            public override DataViewSchema Schema => schema;

            public override long Position => -1;

            public override bool MoveNext() => false;

            public override object GetValue(int columnIndex) => throw new InvalidOperationException("The view has no rows.");
        }
    }
}
