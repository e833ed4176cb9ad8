using MLNetDeep.Data;

namespace MLNetDeep.Estimators.Text;

/// <summary>The schema checks every token-based trainer and transformer makes, with the same messages.</summary>
internal static class TokenColumns
{
    /// <summary>The Vector&lt;Key&gt; token column <paramref name="name"/>, or a <see cref="SchemaMismatchException"/> naming it.</summary>
    public static DataViewSchema.Column Tokens(DataViewSchema schema, string name, string component)
    {
        var tokens = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"{component}: tokens column '{name}' not found; the schema has {schema.Describe()}.");
        if (tokens.Type is not VectorDataViewType { ItemType: KeyDataViewType })
            throw new SchemaMismatchException(tokens.Name, $"{component}: tokens column '{tokens.Name}' must be Vector<Key> (tokenize, then MapValueToKey), got {tokens.Type}.");
        return tokens;
    }

    /// <summary>The Key label column <paramref name="name"/>, or a <see cref="SchemaMismatchException"/> naming it.</summary>
    public static DataViewSchema.Column Label(DataViewSchema schema, string name, string component)
    {
        var label = schema.GetColumnOrNull(name)
            ?? throw new SchemaMismatchException(name, $"{component}: label column '{name}' not found; the schema has {schema.Describe()}.");
        if (label.Type is not KeyDataViewType)
            throw new SchemaMismatchException(label.Name, $"{component}: label column '{label.Name}' must be a Key (apply MapValueToKey), got {label.Type}.");
        return label;
    }

    /// <summary>
    /// The schema of a classifier over the token column <paramref name="tokens"/> (checked): the input plus
    /// <paramref name="score"/> (Vector&lt;Single, classes&gt;) and <paramref name="predicted"/> (a Key with
    /// <paramref name="names"/> as its values).
    /// </summary>
    public static DataViewSchema ScoredSchema(DataViewSchema input, string tokens, string score, string predicted, int classes, IReadOnlyList<string>? names, string component)
    {
        Tokens(input, tokens, component);
        return input.With([
            (score, new VectorDataViewType(NumberDataViewType.Single, classes), null),
            (predicted, new KeyDataViewType((ulong)classes), names),
        ]);
    }

    /// <summary>Number of keys of a Vector&lt;Key&gt; column.</summary>
    public static int KeyCount(DataViewSchema.Column tokens) => (int)((KeyDataViewType)((VectorDataViewType)tokens.Type).ItemType).Count;
}
