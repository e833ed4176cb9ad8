using System.CommandLine;
using MLNetDeep.Cli.Verbs;

namespace MLNetDeep.Cli;

/// <summary>Entry point of the <c>mlnetdeep</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen verb.</summary>
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

    /// <summary>The root command with every registered verb group.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("mlnetdeep: train, evaluate, export and run MLNetDeep models.");
        foreach (var group in VerbGroups.All) group.Register(root);
        return root;
    }
}
