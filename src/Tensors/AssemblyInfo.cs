using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MLNetDeep.Tests")]
[assembly: InternalsVisibleTo("MLNetDeep.Transforms")]
