using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mlops.Catalog.Models;

/// <summary>
/// One graph input of an <see cref="OnnxModel"/> and the signature inputs that fill it: a single feature ([N] or [N, 1]) or
/// the k features of a feature matrix ([N, k]), in column order.
/// </summary>
internal sealed class OnnxFeed(string name, TensorElementType elementType, bool flat, int[] inputs)
{
    public string Name { get; } = name;

    /// <summary>
    /// The tensor for rows [start, start + count) of <paramref name="source"/>: numbers as the graph's float or double
    /// (NaN for null), strings as they are ("" for null).
    /// </summary>
    public OrtValue Create(OnnxRows source, int start, int count)
    {
        long[] shape = flat ? [count] : [count, inputs.Length];
        return elementType switch
        {
            TensorElementType.Double => Numbers(source, start, count, shape, x => x),
            TensorElementType.Float => Numbers(source, start, count, shape, x => (float)x),
            _ => Strings(source, start, count, shape),
        };
    }

    private OrtValue Numbers<T>(OnnxRows source, int start, int count, long[] shape, Func<double, T> convert)
        where T : unmanaged
    {
        var width = inputs.Length;
        var data = new T[count * width];
        for (var row = 0; row < count; row++)
            for (var column = 0; column < width; column++)
                data[row * width + column] = convert(source.Number(inputs[column], start + row));
        return OrtValue.CreateTensorValueFromMemory(data, shape);
    }

    private OrtValue Strings(OnnxRows source, int start, int count, long[] shape)
    {
        var width = inputs.Length;
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            for (var row = 0; row < count; row++)
                for (var column = 0; column < width; column++)
                    value.StringTensorSetElementAt((source.Text(inputs[column], start + row) ?? "").AsSpan(), row * width + column);
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }
}
