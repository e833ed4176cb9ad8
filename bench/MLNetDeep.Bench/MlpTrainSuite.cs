namespace MLNetDeep.Bench;

/// <summary>`mlp-train`: placeholder until the optimizers land.</summary>
public static class MlpTrainSuite
{
    public static int Run(string[] args) => 1;
}
