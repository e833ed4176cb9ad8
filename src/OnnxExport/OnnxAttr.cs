using System.Text;
using Google.Protobuf;
using MLNetDeep.OnnxExport.Schema;
using AttrType = MLNetDeep.OnnxExport.Schema.AttributeProto.Types.AttributeType;

namespace MLNetDeep.OnnxExport;

/// <summary>Typed node attributes: <c>OnnxAttr.Int("axis", 1)</c>, <c>OnnxAttr.Floats("scales", …)</c>, ….</summary>
public static class OnnxAttr
{
    /// <summary>An INT attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Its value.</param>
    public static AttributeProto Int(string name, long value) => New(name, AttrType.Int, a => a.I = value);

    /// <summary>A FLOAT attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Its value.</param>
    public static AttributeProto Float(string name, float value) => New(name, AttrType.Float, a => a.F = value);

    /// <summary>A STRING attribute (UTF-8).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Its value.</param>
    public static AttributeProto String(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return New(name, AttrType.String, a => a.S = ByteString.CopyFrom(value, Encoding.UTF8));
    }

    /// <summary>An INTS attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Its values.</param>
    public static AttributeProto Ints(string name, params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return New(name, AttrType.Ints, a => a.Ints.AddRange(values));
    }

    /// <summary>An INTS attribute from <see cref="int"/> values.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Its values.</param>
    public static AttributeProto Ints(string name, IEnumerable<int> values) => Ints(name, values.Select(v => (long)v).ToArray());

    /// <summary>A FLOATS attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Its values.</param>
    public static AttributeProto Floats(string name, params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return New(name, AttrType.Floats, a => a.Floats.AddRange(values));
    }

    /// <summary>A TENSOR attribute (e.g. the value of a Constant node).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Its value.</param>
    public static AttributeProto Tensor(string name, TensorProto value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return New(name, AttrType.Tensor, a => a.T = value);
    }

    private static AttributeProto New(string name, AttrType type, Action<AttributeProto> set)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var a = new AttributeProto { Name = name, Type = type };
        set(a);
        return a;
    }
}
