using MLNetDeep.Tensors.Nn;

namespace MLNetDeep.Tensors.Serialization;

/// <summary>Saves and loads a module's state dict (parameters and persistent buffers) as a safetensors file.</summary>
public static class ModuleSerializer
{
    /// <summary>
    /// Writes <paramref name="module"/>'s <see cref="Module.StateDict"/> to <paramref name="path"/>
    /// atomically (see <see cref="SafeTensors.Save"/>); values round-trip bit for bit.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="path">Destination file.</param>
    /// <param name="metadata">Optional string metadata stored in the header.</param>
    public static void SaveParameters(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Save(path, module.StateDict(), metadata);
    }

    /// <summary>Reads <paramref name="path"/> and copies its tensors into <paramref name="module"/> in place (see <see cref="Module.LoadStateDict"/>).</summary>
    /// <param name="module">The module.</param>
    /// <param name="path">A safetensors file written by <see cref="SaveParameters"/> or any compatible writer.</param>
    /// <param name="strict">Whether missing or unexpected keys are errors.</param>
    /// <returns>The missing and unexpected keys.</returns>
    /// <exception cref="SafeTensorsFormatException">The file is malformed.</exception>
    /// <exception cref="StateDictException">The file's tensors do not fit the module.</exception>
    public static LoadStateDictResult LoadParameters(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.LoadStateDict(SafeTensors.Load(path).Tensors, strict);
    }
}
