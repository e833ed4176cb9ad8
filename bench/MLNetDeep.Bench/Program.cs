// Benchmark entry point: `dotnet run -c Release --project bench/MLNetDeep.Bench -- SUITE`.
Console.Error.WriteLine("usage: MLNetDeep.Bench SUITE");
return 2;
