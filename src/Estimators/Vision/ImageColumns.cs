using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Vision;

/// <summary>The schema checks of the image trainers and transformer, with the same messages.</summary>
internal static class ImageColumns
{
    /// <summary>The Vector&lt;Single&gt; image column <paramref name="name"/> of known size, or a <see cref="SchemaMismatchException"/> naming it.</summary>
    public static DataViewSchema.Column Image(DataViewSchema schema, string name, string component)
    {
        var image = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"{component}: image column '{name}' not found; the schema has {schema.Describe()}.");
        if (image.Type is not VectorDataViewType { IsKnownSize: true } v || !v.ItemType.Equals(NumberDataViewType.Single))
            throw new SchemaMismatchException(image.Name, $"{component}: image column '{image.Name}' must be a Vector<Single> of known size (e.g. from LoadFromIdx), got {image.Type}.");
        return image;
    }

    /// <summary>
    /// The [channels, height, width] of the images in <paramref name="image"/>: the options' when given (checked against
    /// the vector length), else one channel of a square image.
    /// </summary>
    public static int[] Shape(DataViewSchema.Column image, ImageClassifierOptions o, string component)
    {
        int size = ((VectorDataViewType)image.Type).Size;
        if (o.Channels > 0)
        {
            if (o.Channels * o.ImageHeight * o.ImageWidth != size)
                throw new SchemaMismatchException(image.Name, $"{component}: image column '{image.Name}' has {size} values, not Channels·ImageHeight·ImageWidth = {o.Channels}·{o.ImageHeight}·{o.ImageWidth}.");
            return [o.Channels, o.ImageHeight, o.ImageWidth];
        }
        int side = (int)Math.Round(Math.Sqrt(size));
        if (side * side != size)
            throw new SchemaMismatchException(image.Name, $"{component}: image column '{image.Name}' has {size} values, not a square one-channel image; set ImageClassifierOptions.Channels, ImageHeight and ImageWidth.");
        return [1, side, side];
    }

    /// <summary>The classifier schema: the input plus Score (Vector&lt;Single, classes&gt;) and PredictedLabel (a Key named by <paramref name="names"/>).</summary>
    public static DataViewSchema ScoredSchema(DataViewSchema input, string image, string score, string predicted, int classes, IReadOnlyList<string>? names, string component)
    {
        Image(input, image, component);
        return input.With([
            (score, new VectorDataViewType(NumberDataViewType.Single, classes), null),
            (predicted, new KeyDataViewType((ulong)classes), names),
        ]);
    }
}
