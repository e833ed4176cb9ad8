// Predictions of ONNX Runtime (CPU, onnxruntime-node) for `bench quantized-report`.
// usage: node onnx_predict_peer.js MODEL.onnx INPUT.f32 --features 784 --input Image --output PredictedLabel [--batch 500]
// INPUT.f32 holds rows × features little-endian float32 values. Prints `labels=<comma-separated int64 values>` and `ort_version=<v>`.
const fs = require('fs');
const ort = require('onnxruntime-node');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const model = process.argv[2];
  const buf = fs.readFileSync(process.argv[3]);
  const features = parseInt(arg('features', '784'));
  const batch = parseInt(arg('batch', '500'));
  const input = arg('input', 'Image'), output = arg('output', 'PredictedLabel');
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const rows = all.length / features;
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const labels = [];
  for (let s = 0; s < rows; s += batch) {
    const n = Math.min(batch, rows - s);
    const data = all.slice(s * features, (s + n) * features);
    const result = await session.run({ [input]: new ort.Tensor('float32', data, [n, features]) });
    for (const v of result[output].data) labels.push(Number(v));
  }
  console.log(`labels=${labels.join(',')}`);
  console.log(`ort_version=${require('onnxruntime-node/package.json').version}`);
}

main().catch(e => { console.error(e); process.exit(1); });
