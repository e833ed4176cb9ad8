using System.Net;
using System.Text;

namespace MLNetDeep.Cli.Verbs;

/// <summary>An <c>index.html</c> page showing pictures written by a verb, each with a caption; saved atomically.</summary>
internal sealed class PictureReport(string title, string heading)
{
    private readonly StringBuilder _figures = new();

    /// <summary>Adds the picture <paramref name="fileName"/> (relative to the report) with <paramref name="caption"/>.</summary>
    public void Add(string fileName, string caption) =>
        _figures.Append("<figure><img src=\"").Append(WebUtility.HtmlEncode(fileName)).Append("\"><figcaption>")
            .Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>\n");

    /// <summary>Writes <c>index.html</c> into <paramref name="directory"/> and returns its path.</summary>
    public string Save(string directory)
    {
        var page = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(title)).Append("</title></head><body>\n<h1>").Append(WebUtility.HtmlEncode(heading)).Append("</h1>\n")
            .Append(_figures).Append("</body></html>\n");
        string html = Path.Combine(directory, "index.html");
        File.WriteAllText(html + ".tmp", page.ToString());
        File.Move(html + ".tmp", html, overwrite: true);
        return html;
    }
}
