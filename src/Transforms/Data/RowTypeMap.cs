using System.Reflection;
using MLNetDeep.Tensors;

namespace MLNetDeep.Data;

/// <summary>How the public members of a user row type map to columns (by attributes), both ways.</summary>
internal sealed class RowTypeMap
{
    internal sealed record Member(string ColumnName, DataViewType Type, MemberInfo Info, LoadColumnAttribute? Load)
    {
        public Type MemberType => Info is PropertyInfo p ? p.PropertyType : ((FieldInfo)Info).FieldType;

        public object? Get(object row) => Info is PropertyInfo p ? p.GetValue(row) : ((FieldInfo)Info).GetValue(row);

        public void Set(object row, object? value)
        {
            if (Info is PropertyInfo p) p.SetValue(row, value);
            else ((FieldInfo)Info).SetValue(row, value);
        }

        public bool CanWrite => Info is PropertyInfo p ? p.CanWrite && p.SetMethod!.IsPublic : !((FieldInfo)Info).IsInitOnly;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, RowTypeMap> Cache = new();

    public IReadOnlyList<Member> Members { get; }

    private RowTypeMap(Type type)
    {
        var members = new List<Member>();
        foreach (var m in type.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            if (m is not PropertyInfo and not FieldInfo) continue;
            if (m is PropertyInfo pi && (pi.GetIndexParameters().Length > 0 || !pi.CanRead)) continue;
            if (m.GetCustomAttribute<NoColumnAttribute>() is not null) continue;
            string name = m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name;
            Type t = m is PropertyInfo p ? p.PropertyType : ((FieldInfo)m).FieldType;
            members.Add(new Member(name, ColumnTypeOf(type, m, t), m, m.GetCustomAttribute<LoadColumnAttribute>()));
        }
        Members = members;
    }

    public static RowTypeMap For(Type type) => Cache.GetOrAdd(type, t => new RowTypeMap(t));

    private static DataViewType ColumnTypeOf(Type owner, MemberInfo m, Type t)
    {
        var key = m.GetCustomAttribute<KeyTypeAttribute>();
        int size = m.GetCustomAttribute<VectorTypeAttribute>()?.Size ?? 0;
        if (t == typeof(Tensor))
            return m.GetCustomAttribute<ImageTypeAttribute>()?.Type
                ?? throw new ArgumentException($"{owner.Name}.{m.Name} is a Tensor: mark it [ImageType(channels, height, width)].");
        if (t == typeof(BoundingBox[])) return BoundingBoxDataViewType.Instance;
        if (t.IsArray)
        {
            var item = Primitive(owner, m, t.GetElementType()!, key);
            return new VectorDataViewType(item, size);
        }
        return Primitive(owner, m, t, key);
    }

    private static PrimitiveDataViewType Primitive(Type owner, MemberInfo m, Type t, KeyTypeAttribute? key)
    {
        if (key is not null)
            return t == typeof(uint) ? new KeyDataViewType(key.Count) : throw new ArgumentException($"{owner.Name}.{m.Name}: [KeyType] needs uint or uint[].");
        if (t == typeof(float)) return NumberDataViewType.Single;
        if (t == typeof(double)) return NumberDataViewType.Double;
        if (t == typeof(int)) return NumberDataViewType.Int32;
        if (t == typeof(long)) return NumberDataViewType.Int64;
        if (t == typeof(bool)) return BooleanDataViewType.Instance;
        if (t == typeof(string)) return TextDataViewType.Instance;
        throw new ArgumentException($"{owner.Name}.{m.Name} has type {t.Name}, which has no column type (use float, double, int, long, bool, string, uint with [KeyType], arrays of these, Tensor with [ImageType], BoundingBox[]).");
    }

    /// <summary>Normalizes a member value into the column representation (null text → "", null vector → empty).</summary>
    public static object Normalize(DataViewType type, object? value) => value ?? type switch
    {
        TextDataViewType => string.Empty,
        VectorDataViewType v => Array.CreateInstance(v.ItemType.RawType, 0),
        BoundingBoxDataViewType => Array.Empty<BoundingBox>(),
        _ => throw new InvalidOperationException($"A null value cannot fill a {type} column."),
    };
}
