// Peer for `bench onnx-infer`: ONNX Runtime (CPU, onnxruntime-node) latency of one model file.
// usage: node onnx_infer_peer.js MODEL.onnx --threads 2 --batches 1,16 --size 224 --repeats 15 [--warmup-runs 20 --warmup-ms 2000]
// Prints `b<B>_ms=<median ms>` per batch size (after warm-up: at least the given runs and milliseconds), and `ort_version=<v>`.
const ort = require('onnxruntime-node');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const model = process.argv[2];
  const threads = parseInt(arg('threads', '2'));
  const batches = arg('batches', '1,16').split(',').map(Number);
  const size = parseInt(arg('size', '224'));
  const repeats = parseInt(arg('repeats', '15'));
  const warmupRuns = parseInt(arg('warmup-runs', '3'));
  const warmupMs = parseFloat(arg('warmup-ms', '0'));
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  for (const b of batches) {
    const n = b * 3 * size * size;
    const data = new Float32Array(n);
    let s = 1;
    for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; data[i] = s / 2147483648 - 0.5; }
    const feeds = { [inputName]: new ort.Tensor('float32', data, [b, 3, size, size]) };
    const w0 = process.hrtime.bigint();
    for (let i = 0; i < warmupRuns || Number(process.hrtime.bigint() - w0) / 1e6 < warmupMs; i++) await session.run(feeds);
    const times = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, c) => a - c);
    const m = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
    console.log(`b${b}_ms=${m.toFixed(3)}`);
  }
  console.log(`ort_version=${require('onnxruntime-node/package.json').version}`);
}

main().catch(e => { console.error(e); process.exit(1); });
