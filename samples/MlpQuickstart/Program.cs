// Placeholder: the quickstart sample is written once the engine core lands.
Console.WriteLine("MlpQuickstart");
