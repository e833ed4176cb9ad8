using MLNetDeep.Data;
using MLNetDeep.Tests.Vision;

namespace MLNetDeep.Tests.Detection;

/// <summary>Objects for scene tests: synthetic items (no data needed) and Fashion-MNIST when installed.</summary>
internal static class SceneTestData
{
    /// <summary>Six 28x28 items of three classes: filled discs, squares and bars of varying size.</summary>
    public static SceneObjectSet SyntheticItems()
    {
        const int size = 28;
        var pixels = new byte[6 * size * size];
        byte[] labels = [0, 1, 2, 0, 1, 2];
        for (int i = 0; i < 6; i++)
        {
            int r = 8 + i;
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    float dx = x - 13.5f, dy = y - 13.5f;
                    bool ink = labels[i] switch
                    {
                        0 => dx * dx + dy * dy <= r * r,
                        1 => Math.Abs(dx) <= r && Math.Abs(dy) <= r,
                        _ => Math.Abs(dx) <= 3 && Math.Abs(dy) <= r,
                    };
                    if (ink) pixels[i * size * size + y * size + x] = 230;
                }
            }
        }
        return new SceneObjectSet(pixels, labels, size, size, ["disc", "square", "bar"]);
    }

    /// <summary>The Fashion-MNIST directory, or the calling test ignored (failed under MLNETDEEP_REQUIRE_ORACLES=1) when absent.</summary>
    public static string FashionMnistDirectory() => FashionMnist.RequireDirectory();
}
