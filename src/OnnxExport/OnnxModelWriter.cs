using Google.Protobuf;
using MLNetDeep.OnnxExport.Schema;

namespace MLNetDeep.OnnxExport;

/// <summary>Writes ONNX models: to a stream, or atomically to a file.</summary>
public static class OnnxModelWriter
{
    /// <summary>Serializes <paramref name="model"/> (protobuf binary) to <paramref name="stream"/>, which stays open.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream.</param>
    public static void Write(ModelProto model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        model.WriteTo(stream);
        stream.Flush();
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: into a temporary file in the
    /// same folder, moved over <paramref name="path"/> only once complete, so a failure leaves neither a
    /// partial file nor a changed previous file.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Destination file.</param>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        SaveAtomic(path, s => model.WriteTo(s));
    }

    /// <summary>Runs <paramref name="write"/> on a temporary file next to <paramref name="path"/> and moves it into place.</summary>
    internal static void SaveAtomic(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Folder '{dir}' for ONNX file '{path}' does not exist.");
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
