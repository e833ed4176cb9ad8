#!/usr/bin/env node
// ONNX Runtime oracle for MLNetDeep's ONNX tests.
//
// A long-lived process: reads one JSON request per line on stdin, answers one JSON line on stdout,
// strictly in order. Requests:
//   {"id": 1, "kind": "ping"}                     -> {"id": 1, "ok": true, "onnxruntime": "<version>"}
//   {"id": 2, "kind": "run", "model": "/abs/path.onnx",
//    "inputs": {"x": {"dtype": "float32", "shape": [2, 3], "data": "<base64 little-endian>"}},
//    "outputs": ["y"]  (optional; default: every graph output)}
//                                                 -> {"id": 2, "ok": true, "outputs": {"y": {dtype, shape, data}}}
// Failures answer {"id": .., "ok": false, "error": "..."}. dtypes: float32, float64, int64, int32, bool, uint8.
// Sessions are cached per model path and file modification time; CPU provider, 2 intra-op threads.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

let ort;
try {
  ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  process.stderr.write('ort_oracle: onnxruntime-node is not installed in tools/oracles (npm install --ignore-scripts): ' + e.message + '\n');
  process.exit(3);
}
const ortVersion = (() => {
  try { return require(path.join(__dirname, 'node_modules', 'onnxruntime-node', 'package.json')).version; } catch (e) { return 'unknown'; }
})();

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array, bool: Uint8Array, uint8: Uint8Array,
};
const ORT_TYPES = { float32: 'float32', float64: 'float64', int64: 'int64', int32: 'int32', bool: 'bool', uint8: 'uint8' };

const sessions = new Map(); // path -> {mtimeMs, size, session}

async function getSession(modelPath) {
  const st = fs.statSync(modelPath);
  const cached = sessions.get(modelPath);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.session;
  if (cached) { try { await cached.session.release(); } catch (e) { /* ignore */ } }
  const session = await ort.InferenceSession.create(fs.readFileSync(modelPath), {
    executionProviders: ['cpu'], intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  sessions.set(modelPath, { mtimeMs: st.mtimeMs, size: st.size, session });
  return session;
}

function decodeTensor(name, t) {
  const Arr = ARRAYS[t.dtype];
  if (!Arr) throw new Error(`input '${name}': unsupported dtype '${t.dtype}'`);
  const buf = Buffer.from(t.data || '', 'base64');
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (buf.length !== count * Arr.BYTES_PER_ELEMENT)
    throw new Error(`input '${name}': shape [${t.shape}] needs ${count * Arr.BYTES_PER_ELEMENT} bytes, got ${buf.length}`);
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  const arr = new Arr(copy);
  return new ort.Tensor(ORT_TYPES[t.dtype], t.dtype === 'bool' ? arr : arr, t.shape);
}

function encodeTensor(t) {
  const data = t.data;
  let bytes;
  if (t.type === 'bool') bytes = Buffer.from(Uint8Array.from(data, v => (v ? 1 : 0)));
  else bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { dtype: t.type, shape: Array.from(t.dims, Number), data: bytes.toString('base64') };
}

async function handle(req) {
  switch (req.kind) {
    case 'ping':
      return { onnxruntime: ortVersion };
    case 'run': {
      if (typeof req.model !== 'string') throw new Error("'model' (a file path) is required");
      const session = await getSession(req.model);
      const feeds = {};
      for (const [name, t] of Object.entries(req.inputs || {})) feeds[name] = decodeTensor(name, t);
      const wanted = Array.isArray(req.outputs) && req.outputs.length ? req.outputs : session.outputNames;
      const result = await session.run(feeds, wanted);
      const outputs = {};
      for (const name of wanted) outputs[name] = encodeTensor(result[name]);
      return { outputs };
    }
    default:
      throw new Error(`unknown request kind '${req.kind}'`);
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
let chain = Promise.resolve();
rl.on('line', line => {
  if (!line.trim()) return;
  chain = chain.then(async () => {
    let req;
    let resp;
    try {
      req = JSON.parse(line);
      resp = Object.assign({ ok: true }, await handle(req));
    } catch (e) {
      resp = { ok: false, error: (e && e.stack) ? String(e.stack) : String(e) };
    }
    if (req && req.id !== undefined) resp.id = req.id;
    process.stdout.write(JSON.stringify(resp) + '\n');
  });
});
rl.on('close', () => { chain.then(() => process.exit(0)); });
