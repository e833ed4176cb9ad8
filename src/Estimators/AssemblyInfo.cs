using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("MLNetDeep.Tests")]
