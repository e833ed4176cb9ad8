using System.CommandLine;
using MLNetDeep.Data;

namespace MLNetDeep.Cli.Verbs;

/// <summary>
/// Options naming detection data for the <c>detect</c> verbs: a Pascal VOC annotation folder, a COCO JSON file, or
/// (by default) scenes generated from Fashion-MNIST items. All give the columns Image, Boxes and Labels.
/// </summary>
internal sealed class DetectionDataCliOptions
{
    public Option<DirectoryInfo?> Voc { get; } = new("--voc") { Description = "Pascal VOC annotation folder (images from --images or a sibling JPEGImages/)." };
    public Option<FileInfo?> Coco { get; } = new("--coco") { Description = "COCO instances JSON file (images from --images)." };
    public Option<DirectoryInfo?> Images { get; } = new("--images") { Description = "Image folder for --voc or --coco." };
    public Option<int> Scenes { get; } = new("--scenes") { Description = "Without --voc/--coco: number of generated Fashion-MNIST scenes.", DefaultValueFactory = _ => 1000 };
    public Option<int> SceneSeed { get; } = new("--scene-seed") { Description = "Seed of the generated scenes.", DefaultValueFactory = _ => 1 };
    public Option<bool> TestItems { get; } = new("--test-items") { Description = "Generate scenes from the Fashion-MNIST test items (for evaluation)." };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Voc, Coco, Images, Scenes, SceneSeed, TestItems }) c.Add(o);
    }

    public IDataView Load(DeepContext ctx, ParseResult r)
    {
        if (r.GetValue(Voc) is { } voc) return ctx.Data.LoadPascalVoc(voc.FullName, r.GetValue(Images)?.FullName);
        if (r.GetValue(Coco) is { } coco) return ctx.Data.LoadCocoJson(coco.FullName, r.GetValue(Images)?.FullName);
        return ctx.Data.GenerateDetectionScenes(new DetectionSceneOptions { NumberOfImages = r.GetValue(Scenes), Seed = r.GetValue(SceneSeed), UseTestItems = r.GetValue(TestItems) });
    }
}
