using System.CommandLine;

namespace MLNetDeep.Cli;

/// <summary>Entry point of the <c>mlnetdeep</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen verb.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("mlnetdeep: train, evaluate, export and run MLNetDeep models.");
        return root.Parse(args).Invoke();
    }
}
