using MLNetDeep.Onnx;
using NUnit.Framework;

namespace MLNetDeep.Tests.Onnx.Runtime;

/// <summary>
/// Every claimed operator passes every ONNX backend node test of it (ONNX 1.12 data, rtol 1e-3 /
/// atol 1e-7 as the ONNX backend runner uses), including the _expanded variants built only from claimed ops.
/// </summary>
[TestFixture]
public sealed class OnnxNodeTests
{
    public static IEnumerable<TestCaseData> ClaimedOps() =>
        OnnxOperators.Supported.Select(op => new TestCaseData(op).SetName($"OnnxNode_{op}"));

    [TestCaseSource(nameof(ClaimedOps))]
    public void PassesAllBackendNodeTests(string op)
    {
        OnnxTestData.RequireNodeData();
        var tests = OnnxTestData.TestsOf(op);
        Assert.That(tests, Is.Not.Empty, $"no backend node test found for {op}");
        var failures = tests.Select(OnnxTestData.RunTest).Where(f => f is not null).ToList();
        Assert.That(failures, Is.Empty, $"{op}: {failures.Count} of {tests.Count} tests failed:\n" + string.Join("\n", failures));
        TestContext.Out.WriteLine($"{op}: {tests.Count} tests passed: {string.Join(", ", tests)}");
    }

    [Test]
    public void ClaimedOpsAreImplementedAndDistinct()
    {
        Assert.That(OnnxOperators.Supported.Distinct().Count(), Is.EqualTo(OnnxOperators.Supported.Count));
        foreach (var op in OnnxOperators.Supported.Concat(OnnxOperators.Partial))
            Assert.That(OnnxOperators.IsImplemented(op), op);
    }
}
