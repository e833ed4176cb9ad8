using System.Collections;
using MLNetDeep.Data;
using MLNetDeep.Persistence;
using MLNetDeep.Tensors;
using NUnit.Framework;

namespace MLNetDeep.Tests.Pipeline;

/// <summary>
/// The estimator checks every transform goes through (the idea of ML.NET's TestEstimatorCore):
/// schema propagation without data agrees with the fitted output, invalid input fails with a message
/// naming the column, and save → load gives the identical schema and identical values.
/// </summary>
public static class EstimatorHarness
{
    /// <summary>Runs all checks and returns the fitted transformer.</summary>
    /// <param name="estimator">The estimator under test.</param>
    /// <param name="valid">Data it must accept.</param>
    /// <param name="invalid">Data with a column of the wrong type (or missing), or null to skip.</param>
    /// <param name="invalidColumn">The column the failure must name.</param>
    public static ITransformer Check<T>(IEstimator<T> estimator, IDataView valid, IDataView? invalid = null, string? invalidColumn = null) where T : ITransformer
    {
        // 1. Schema propagation without running.
        var predicted = estimator.GetOutputSchema(valid.Schema);
        var transformer = estimator.Fit(valid);
        var fittedSchema = transformer.GetOutputSchema(valid.Schema);
        var output = transformer.Transform(valid);
        AssertSameSchema(output.Schema, fittedSchema, "Transform(...).Schema vs GetOutputSchema");
        AssertCompatible(predicted, fittedSchema);
        var rows = ReadAll(output);
        Assert.That(rows, Is.Not.Empty, "the harness needs data that yields rows");

        // 2. Invalid input fails, naming the column, before and after fitting.
        if (invalid is not null)
        {
            Assert.That(invalidColumn, Is.Not.Null);
            ExpectMismatch(() => estimator.GetOutputSchema(invalid.Schema), invalidColumn!);
            ExpectMismatch(() => estimator.Fit(invalid), invalidColumn!);
            ExpectMismatch(() => transformer.Transform(invalid), invalidColumn!);
        }

        // 3. Save → load → identical schema and values.
        string dir = Path.Combine(Path.GetTempPath(), "mlnd-harness-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "model.zip");
            ModelArchive.Save(transformer, valid.Schema, path);
            var loaded = ModelArchive.Load(path, out var loadedInput);
            AssertSameSchema(loadedInput, valid.Schema, "saved input schema");
            var reloadedOutput = loaded.Transform(valid);
            AssertSameSchema(reloadedOutput.Schema, fittedSchema, "reloaded output schema");
            var again = ReadAll(reloadedOutput);
            Assert.That(again, Has.Count.EqualTo(rows.Count));
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < rows[r].Length; c++)
                    Assert.That(ValuesEqual(rows[r][c], again[r][c]), Is.True, $"row {r}, column '{fittedSchema[c].Name}' differs after save/load");
            if (invalid is not null) ExpectMismatch(() => loaded.Transform(invalid), invalidColumn!);
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary files left next to the model");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return transformer;
    }

    public static void ExpectMismatch(TestDelegate action, string column)
    {
        var ex = Assert.Throws<SchemaMismatchException>(action)!;
        Assert.That(ex.ColumnName, Is.EqualTo(column));
        Assert.That(ex.Message, Does.Contain($"'{column}'"));
    }

    public static List<object[]> ReadAll(IDataView data)
    {
        var rows = new List<object[]>();
        using var cursor = data.GetRowCursor();
        while (cursor.MoveNext())
        {
            var row = new object[data.Schema.Count];
            for (int c = 0; c < row.Length; c++) row[c] = cursor.GetValue(c);
            foreach (var (v, c) in row.Select((v, c) => (v, c)))
                Assert.That(v.GetType(), Is.EqualTo(data.Schema[c].Type.RawType), $"column '{data.Schema[c].Name}' returned {v.GetType().Name}");
            rows.Add(row);
        }
        return rows;
    }

    public static void AssertSameSchema(DataViewSchema actual, DataViewSchema expected, string what)
    {
        Assert.That(actual.Select(c => c.Name), Is.EqualTo(expected.Select(c => c.Name)), what);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i].Type, Is.EqualTo(expected[i].Type), $"{what}: type of '{expected[i].Name}'");
            Assert.That(actual[i].KeyValues, Is.EqualTo(expected[i].KeyValues), $"{what}: key values of '{expected[i].Name}'");
        }
    }

    /// <summary>Estimator schemas may leave key counts and data-dependent vector sizes unknown (0); everything else must match.</summary>
    private static void AssertCompatible(DataViewSchema predicted, DataViewSchema fitted)
    {
        Assert.That(predicted.Select(c => c.Name), Is.EqualTo(fitted.Select(c => c.Name)), "GetOutputSchema column names");
        for (int i = 0; i < fitted.Count; i++)
            Assert.That(Compatible(predicted[i].Type, fitted[i].Type), Is.True, $"GetOutputSchema type of '{fitted[i].Name}': {predicted[i].Type} vs fitted {fitted[i].Type}");
    }

    private static bool Compatible(DataViewType predicted, DataViewType fitted) => (predicted, fitted) switch
    {
        (KeyDataViewType p, KeyDataViewType) when p.Count == 0 => true,
        (VectorDataViewType p, VectorDataViewType f) => (p.Size == 0 || p.Size == f.Size) && Compatible(p.ItemType, f.ItemType),
        _ => predicted.Equals(fitted),
    };

    public static bool ValuesEqual(object a, object b) => (a, b) switch
    {
        (Tensor x, Tensor y) => x.Shape.SequenceEqual(y.Shape) && x.ToFloatArray().SequenceEqual(y.ToFloatArray()),
        (Array x, Array y) => ((IStructuralEquatable)x).Equals(y, StructuralComparisons.StructuralEqualityComparer),
        _ => Equals(a, b),
    };
}
