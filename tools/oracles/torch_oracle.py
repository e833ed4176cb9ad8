#!/usr/bin/env python3
"""PyTorch oracle for MLNetDeep numerical parity tests.

A long-lived process: reads one JSON request per line on stdin and writes one
JSON response per line on stdout (flushed after each). Nothing here evaluates
strings as code; callables are resolved attribute by attribute from the
``torch`` module and checked against an allow policy.

Tensor encoding (both directions)::

    {"shape": [2, 3], "dtype": "float32" | "float64" | "int64",
     "data": [flat row-major numbers], "requires_grad": false (optional, input only)}

Non-finite floats are the strings "NaN", "Infinity", "-Infinity".
An input tensor with ``"as_bool": true`` is turned into a bool mask (nonzero -> True).
Outputs of other dtypes are converted: bool/uint8/int8/int16/int32 -> int64,
float16/bfloat16 -> float32.

In args/kwargs, a dtype value (e.g. for ``dtype=``) is written ``{"torch_dtype": "float64"}`` and a
float that may be non-finite ``{"float": "Infinity"}`` (plain numbers are passed as they are).

Request kinds: ping, call, module, optim, train_mlp, vision_block, attention_ref (see the handlers below).
A module request may add ``"tuple_inputs": true`` (nested input lists become tuples, e.g. LSTM's
``(h0, c0)``) and ``"packed": {"lengths": [...], "batch_first": bool}`` (inputs[0] is packed with
pack_padded_sequence(enforce_sorted=False) and the first output padded back with pad_packed_sequence).
Every response is ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``;
when the request has an "id" it is echoed back. torch.manual_seed(req.get("seed", 0))
runs before every request, so results never depend on earlier requests.
"""

import json
import math
import sys
import traceback
import types

# Responses go to the real stdout; anything user code prints goes to stderr.
_RESPONSE_OUT = sys.stdout
sys.stdout = sys.stderr

try:
    import torch
    import torch.nn
    import torch.nn.functional
    import torch.nn.utils
    import torch.optim
    import torch.optim.lr_scheduler
except Exception as _e:  # reported to the client via stderr (last line) + exit code 3
    sys.stderr.write(traceback.format_exc())
    sys.stderr.write("torch_oracle: import torch failed: %s: %s\n" % (type(_e).__name__, _e))
    sys.stderr.flush()
    sys.exit(3)

torch.set_num_threads(1)
torch.manual_seed(0)
try:
    torch.use_deterministic_algorithms(True, warn_only=True)
except Exception:  # older builds without warn_only: leave the default
    pass

# --------------------------------------------------------------------------- #
# Tensor encoding
# --------------------------------------------------------------------------- #

_DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "int64": torch.int64,
}
_FLOAT_DTYPES = ("float32", "float64")

_EXTRA_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}

_NONFINITE_IN = {
    "NaN": math.nan,
    "nan": math.nan,
    "Infinity": math.inf,
    "inf": math.inf,
    "+Infinity": math.inf,
    "-Infinity": -math.inf,
    "-inf": -math.inf,
}


class OracleError(Exception):
    """A request the oracle refuses (bad name, bad encoding, ...)."""


def is_tensor_dict(value):
    return isinstance(value, dict) and "shape" in value and "dtype" in value and "data" in value


def encode_float(x):
    """A Python float as a JSON-safe value."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def decode_float(x):
    if isinstance(x, str):
        if x in _NONFINITE_IN:
            return _NONFINITE_IN[x]
        raise OracleError("bad float value %r" % (x,))
    if isinstance(x, bool):
        raise OracleError("bad float value %r" % (x,))
    return float(x)


def decode_tensor(d, want_grad):
    """A tensor dict as a fresh torch tensor (a leaf)."""
    dtype_name = d["dtype"]
    if dtype_name not in _DTYPES:
        raise OracleError("unsupported dtype %r (use float32, float64 or int64)" % (dtype_name,))
    shape = [int(s) for s in d["shape"]]
    data = d["data"]
    if not isinstance(data, list):
        raise OracleError("tensor data must be a flat list")
    numel = 1
    for s in shape:
        if s < 0:
            raise OracleError("negative dimension in shape %r" % (shape,))
        numel *= s
    if len(data) != numel:
        raise OracleError("tensor shape %r needs %d values, got %d" % (shape, numel, len(data)))
    dtype = _DTYPES[dtype_name]
    if dtype_name in _FLOAT_DTYPES:
        if all(type(v) is float or type(v) is int for v in data):
            values = data  # fast path: plain numbers only
        else:
            values = [decode_float(v) for v in data]
    elif all(type(v) is int for v in data):
        values = data
    else:
        values = []
        for v in data:
            if isinstance(v, bool):
                raise OracleError("bad int64 value %r" % (v,))
            if isinstance(v, float):
                if not v.is_integer():
                    raise OracleError("non-integer value %r in an int64 tensor" % (v,))
                v = int(v)
            elif not isinstance(v, int):
                raise OracleError("bad int64 value %r" % (v,))
            values.append(v)
    t = torch.tensor(values, dtype=dtype).reshape(shape)
    if d.get("as_bool", False) is True:
        return t != 0  # a mask: torch.where and friends want bool conditions
    if want_grad and dtype_name in _FLOAT_DTYPES and d.get("requires_grad", True) is not False:
        t.requires_grad_(True)
    return t


def encode_tensor(t):
    t = t.detach()
    if t.is_complex():
        raise OracleError("complex outputs are not supported")
    if t.dtype == torch.float64:
        name = "float64"
    elif t.is_floating_point():
        name = "float32"
        t = t.to(torch.float32)
    else:
        name = "int64"
        t = t.to(torch.int64)
    t = t.cpu().contiguous()
    flat = t.reshape(-1).tolist()
    if name != "int64" and flat and not bool(torch.isfinite(t).all()):
        flat = [encode_float(v) for v in flat]
    return {"shape": list(t.shape), "dtype": name, "data": flat}


def encode_optional_tensor(t):
    return None if t is None else encode_tensor(t)


def encode_value(v):
    """An output value (tensor or Python scalar) as an encoded tensor or None."""
    if v is None:
        return None
    if isinstance(v, torch.Tensor):
        return encode_tensor(v)
    if isinstance(v, bool):
        return {"shape": [], "dtype": "int64", "data": [int(v)]}
    if isinstance(v, int):
        return {"shape": [], "dtype": "int64", "data": [v]}
    if isinstance(v, float):
        return {"shape": [], "dtype": "float64", "data": [encode_float(v)]}
    if isinstance(v, torch.Size):
        return {"shape": [len(v)], "dtype": "int64", "data": list(v)}
    raise OracleError("cannot encode output of type %s" % type(v).__name__)


def flatten_outputs(value, out):
    """Flattens (nested) tuples/lists of outputs into ``out`` in order."""
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        for item in value:
            flatten_outputs(item, out)
    else:
        out.append(value)
    return out


class Decoder:
    """Turns JSON values into Python/torch values, recording tensors in order."""

    def __init__(self, want_grad):
        self.want_grad = want_grad
        self.tensors = []

    def value(self, v):
        if isinstance(v, dict):
            if is_tensor_dict(v):
                t = decode_tensor(v, self.want_grad)
                self.tensors.append(t)
                return t
            if set(v.keys()) == {"torch_dtype"}:
                name = v["torch_dtype"]
                dt = _DTYPES.get(name) or _EXTRA_DTYPES.get(name)
                if dt is None:
                    raise OracleError("unknown torch_dtype %r" % (name,))
                return dt
            if set(v.keys()) == {"float"}:
                return decode_float(v["float"])
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v


# --------------------------------------------------------------------------- #
# Name resolution (no eval)
# --------------------------------------------------------------------------- #

_DUNDER_WHITELIST = {
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__neg__",
    "__matmul__", "__rmatmul__",
}

# Name segments never resolved: file / process / network access and code loading.
_DENIED_SEGMENTS = {
    "load", "save", "hub", "package", "multiprocessing", "distributed",
    "cpp_extension", "from_file", "jit", "compile", "set_num_threads",
    "set_default_dtype", "set_default_tensor_type", "use_deterministic_algorithms",
    "manual_seed", "seed", "set_rng_state",
}


def _module_ok(obj):
    name = getattr(obj, "__name__", "")
    return isinstance(name, str) and (name == "torch" or name.startswith("torch."))


def resolve(path, prefix):
    """Resolves a dotted name from the torch module, with the allow policy."""
    if not isinstance(path, str):
        raise OracleError("name must be a string")
    if not path.startswith(prefix):
        raise OracleError("name %r rejected: must start with %r" % (path, prefix))
    parts = path.split(".")
    if parts[0] != "torch" or len(parts) < 2:
        raise OracleError("name %r rejected" % (path,))
    obj = torch
    for part in parts[1:]:
        if not part or not (part.replace("_", "a").isalnum() and not part[0].isdigit()):
            raise OracleError("name %r rejected: bad segment %r" % (path, part))
        if "__" in part and part not in _DUNDER_WHITELIST:
            raise OracleError("name %r rejected: dunder %r not allowed" % (path, part))
        if part in _DENIED_SEGMENTS:
            raise OracleError("name %r rejected: %r is not allowed" % (path, part))
        if not hasattr(obj, part):
            raise OracleError("name %r not found (no attribute %r)" % (path, part))
        obj = getattr(obj, part)
        if isinstance(obj, types.ModuleType):
            if not _module_ok(obj):
                raise OracleError("name %r rejected: %r is not a torch module" % (path, part))
        else:
            mod = getattr(obj, "__module__", None)
            if isinstance(mod, str) and not (mod == "torch" or mod.startswith("torch.")):
                raise OracleError("name %r rejected: %r comes from module %r" % (path, part, mod))
    if isinstance(obj, types.ModuleType) or not callable(obj):
        raise OracleError("name %r is not callable" % (path,))
    return obj


def resolve_class(path, prefix, base):
    cls = resolve(path, prefix)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise OracleError("%r is not a subclass of %s" % (path, base.__name__))
    return cls


# --------------------------------------------------------------------------- #
# Gradients
# --------------------------------------------------------------------------- #

def backward_grads(outputs, grad_outputs, leaves):
    """Grads of sum(<outputs, grad_outputs>) wrt leaves (None when unused)."""
    if not isinstance(grad_outputs, list):
        raise OracleError("grad_outputs must be a list or null")
    if len(grad_outputs) != len(outputs):
        raise OracleError("grad_outputs has %d entries but there are %d outputs"
                          % (len(grad_outputs), len(outputs)))
    outs, gos = [], []
    for i, (o, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            continue
        if not isinstance(o, torch.Tensor):
            raise OracleError("grad_outputs[%d] given for a non-tensor output" % i)
        if not is_tensor_dict(g):
            raise OracleError("grad_outputs[%d] is not a tensor" % i)
        gt = decode_tensor(g, False)
        if not o.requires_grad:
            if o.is_floating_point():
                continue  # output does not depend on any grad-requiring tensor
            raise OracleError("grad_outputs[%d] given for a non-float output" % i)
        if list(gt.shape) != list(o.shape):
            raise OracleError("grad_outputs[%d] has shape %r but output has shape %r"
                              % (i, list(gt.shape), list(o.shape)))
        outs.append(o)
        gos.append(gt.to(o.dtype))
    wanted = [(i, t) for i, t in enumerate(leaves) if isinstance(t, torch.Tensor) and t.requires_grad]
    result = [None] * len(leaves)
    if not outs or not wanted:
        return result
    grads = torch.autograd.grad(outs, [t for _, t in wanted], gos, allow_unused=True)
    for (i, _), g in zip(wanted, grads):
        result[i] = g
    return result


# --------------------------------------------------------------------------- #
# Handlers
# --------------------------------------------------------------------------- #

def handle_ping(req):
    return {"torch": torch.__version__}


def handle_call(req):
    fn = resolve(req.get("fn"), "torch.")
    dec = Decoder(want_grad=True)
    inputs = dec.value(req.get("inputs") or [])
    if not isinstance(inputs, list):
        raise OracleError("inputs must be a list")
    args = dec.value(req.get("args") or [])
    if not isinstance(args, list):
        raise OracleError("args must be a list")
    kwargs = dec.value(req.get("kwargs") or {})
    if not isinstance(kwargs, dict):
        raise OracleError("kwargs must be an object")
    result = fn(*inputs, *args, **kwargs)
    outputs = flatten_outputs(result, [])
    resp = {"outputs": [encode_value(o) for o in outputs], "grads": None}
    if req.get("grad_outputs") is not None:
        grads = backward_grads(outputs, req["grad_outputs"], dec.tensors)
        resp["grads"] = [encode_optional_tensor(g) for g in grads]
    return resp


def _dtype_of(name, default="float32"):
    name = name or default
    if name not in _FLOAT_DTYPES:
        raise OracleError("dtype must be float32 or float64, got %r" % (name,))
    return _DTYPES[name]


def load_state(module, state):
    """Loads a request's "state" (name -> tensor) with strict=False; returns (missing_keys, unexpected_keys)."""
    if not state:
        return [], []
    sd = {}
    for k, v in state.items():
        if not is_tensor_dict(v):
            raise OracleError("state[%r] is not a tensor" % (k,))
        sd[k] = decode_tensor(v, False)
    res = module.load_state_dict(sd, strict=False)
    return list(res.missing_keys), list(res.unexpected_keys)


def handle_module(req):
    cls = resolve_class(req.get("module"), "torch.nn.", torch.nn.Module)
    ctor = Decoder(want_grad=False)
    args = ctor.value(req.get("args") or [])
    kwargs = ctor.value(req.get("kwargs") or {})
    module = cls(*args, **kwargs)
    module = module.to(_dtype_of(req.get("dtype")))
    missing, unexpected = load_state(module, req.get("state"))
    module.train(bool(req.get("train", False)))

    dec = Decoder(want_grad=True)
    inputs = dec.value(req.get("inputs") or [])
    fkwargs = dec.value(req.get("forward_kwargs") or {})
    if req.get("tuple_inputs", False) is True:
        # Nested lists become tuples, e.g. LSTM's (h0, c0).
        inputs = [tuple(v) if isinstance(v, list) else v for v in inputs]
    packed = req.get("packed")
    if packed is not None:
        # Variable-length batch: inputs[0] is padded; pack it (unsorted lengths), run, pad back.
        rnn_utils = torch.nn.utils.rnn
        batch_first = bool(packed.get("batch_first", False))
        lengths = torch.tensor([int(v) for v in packed["lengths"]], dtype=torch.int64)
        total = inputs[0].shape[1 if batch_first else 0]
        inputs[0] = rnn_utils.pack_padded_sequence(inputs[0], lengths, batch_first=batch_first, enforce_sorted=False)
        result = module(*inputs, **fkwargs)
        out, rest = result[0], result[1:]
        out, _ = rnn_utils.pad_packed_sequence(out, batch_first=batch_first, total_length=total)
        result = (out,) + tuple(rest)
    else:
        result = module(*inputs, **fkwargs)
    outputs = flatten_outputs(result, [])
    named = list(module.named_parameters())
    resp = {
        "outputs": [encode_value(o) for o in outputs],
        "grads": None,
        "param_grads": None,
        "missing_keys": missing,
        "unexpected_keys": unexpected,
    }
    if req.get("grad_outputs") is not None:
        leaves = list(dec.tensors) + [p for _, p in named]
        grads = backward_grads(outputs, req["grad_outputs"], leaves)
        n_in = len(dec.tensors)
        resp["grads"] = [encode_optional_tensor(g) for g in grads[:n_in]]
        resp["param_grads"] = {name: encode_optional_tensor(g)
                               for (name, _), g in zip(named, grads[n_in:])}
    resp["state_after"] = {k: encode_tensor(v) for k, v in module.state_dict().items()}
    return resp


def handle_optim(req):
    opt_cls = resolve_class(req.get("optim"), "torch.optim.", torch.optim.Optimizer)
    params = []
    for i, p in enumerate(req.get("params") or []):
        if not is_tensor_dict(p) or p["dtype"] not in _FLOAT_DTYPES:
            raise OracleError("params[%d] must be a float tensor" % i)
        t = decode_tensor(p, False)
        params.append(t.requires_grad_(True))
    if not params:
        raise OracleError("params must not be empty")
    kwargs = Decoder(False).value(req.get("kwargs") or {})
    opt = opt_cls(params, **kwargs)

    sched = None
    sched_req = req.get("scheduler")
    metrics = None
    if sched_req:
        sched_cls = resolve(sched_req.get("name"), "torch.optim.lr_scheduler.")
        sched = sched_cls(opt, **Decoder(False).value(sched_req.get("kwargs") or {}))
        metrics = sched_req.get("metrics")

    clip = req.get("clip")
    steps = req.get("grads") or []
    params_per_step, lr_per_step, total_norms = [], [], []
    for s, step_grads in enumerate(steps):
        if len(step_grads) != len(params):
            raise OracleError("grads[%d] has %d entries for %d params" % (s, len(step_grads), len(params)))
        for p, g in zip(params, step_grads):
            if g is None:
                p.grad = None
            else:
                gt = decode_tensor(g, False).to(p.dtype)
                if list(gt.shape) != list(p.shape):
                    raise OracleError("grads[%d]: shape %r for a param of shape %r"
                                      % (s, list(gt.shape), list(p.shape)))
                p.grad = gt
        if clip:
            if "max_norm" in clip:
                n = torch.nn.utils.clip_grad_norm_(params, float(clip["max_norm"]),
                                                   norm_type=decode_float(clip.get("norm_type", 2.0)))
                total_norms.append(encode_float(n.item()))
            elif "clip_value" in clip:
                torch.nn.utils.clip_grad_value_(params, float(clip["clip_value"]))
            else:
                raise OracleError("clip needs max_norm or clip_value")
        lr_per_step.append(encode_float(opt.param_groups[0]["lr"]))
        opt.step()
        if sched is not None:
            if metrics is not None:
                sched.step(decode_float(metrics[s]))
            else:
                sched.step()
        params_per_step.append([encode_tensor(p) for p in params])
    resp = {"params_per_step": params_per_step, "lr_per_step": lr_per_step}
    if clip and "max_norm" in clip:
        resp["total_norms"] = total_norms
    return resp


_ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "gelu": torch.nn.GELU}
_LOSSES = {"cross_entropy": torch.nn.functional.cross_entropy, "mse": torch.nn.functional.mse_loss}


def handle_train_mlp(req):
    act = req.get("activation", "relu")
    if act not in _ACTIVATIONS:
        raise OracleError("unknown activation %r" % (act,))
    loss_name = req.get("loss", "cross_entropy")
    if loss_name not in _LOSSES:
        raise OracleError("unknown loss %r" % (loss_name,))
    layers_req = req.get("layers") or []
    if not layers_req:
        raise OracleError("layers must not be empty")
    mods = []
    for i, l in enumerate(layers_req):
        w = decode_tensor(l["weight"], False)
        b = decode_tensor(l["bias"], False) if l.get("bias") is not None else None
        if w.dim() != 2:
            raise OracleError("layers[%d].weight must be 2-D" % i)
        lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=b is not None).to(w.dtype)
        with torch.no_grad():
            lin.weight.copy_(w)
            if b is not None:
                lin.bias.copy_(b)
        if i > 0:
            mods.append(_ACTIVATIONS[act]())
        mods.append(lin)
    model = torch.nn.Sequential(*mods)
    model.train()
    dtype = mods[0].weight.dtype
    x = decode_tensor(req["x"], False).to(dtype)
    y = decode_tensor(req["y"], False)
    if y.is_floating_point():
        y = y.to(dtype)
    n = x.shape[0]
    bsz = int(req["batch_size"])
    steps = int(req["steps"])
    if bsz <= 0 or n == 0:
        raise OracleError("batch_size and the number of rows must be positive")
    opt_cls = resolve_class(req.get("optim", "torch.optim.SGD"), "torch.optim.", torch.optim.Optimizer)
    opt = opt_cls(model.parameters(), **Decoder(False).value(req.get("optim_kwargs") or {}))
    loss_fn = _LOSSES[loss_name]
    losses = []
    for i in range(steps):
        idx = torch.tensor([(i * bsz + k) % n for k in range(bsz)], dtype=torch.int64)
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        losses.append(encode_float(loss.item()))
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    final = [{"weight": encode_tensor(m.weight),
              "bias": encode_optional_tensor(m.bias)} for m in linears]
    return {"losses": losses, "final": final}

# --------------------------------------------------------------------------- #
# attention_ref: small attention references written in torch (SDPA, Bahdanau, Luong)
# --------------------------------------------------------------------------- #

def _masked_scores(scores, mask):
    """Adds a float mask or fills -inf where a bool mask is True (torch.nn.MultiheadAttention's convention)."""
    if mask is None:
        return scores
    if mask.dtype == torch.bool:
        return scores.masked_fill(mask, float("-inf"))
    return scores + mask


def _ref_sdpa(t, opt):
    q, k, v = t["query"], t["key"], t["value"]
    scale = opt.get("scale")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    s = _masked_scores(torch.matmul(q, k.transpose(-2, -1)) * scale, t.get("mask"))
    if opt.get("causal", False):
        n_q, n_k = s.shape[-2], s.shape[-1]
        s = s.masked_fill(torch.ones(n_q, n_k, dtype=torch.bool).triu(1), float("-inf"))
    p = torch.softmax(s, dim=-1)
    return [torch.matmul(p, v), p]


def _attend(scores, keys, mask):
    w = torch.softmax(_masked_scores(scores, mask), dim=-1)
    return [torch.bmm(w.unsqueeze(1), keys).squeeze(1), w]


def _ref_additive(t, opt):
    q, keys = t["query"], t["keys"]
    F_ = torch.nn.functional
    h = torch.tanh(F_.linear(q, t["query_proj.weight"]).unsqueeze(1) + F_.linear(keys, t["key_proj.weight"], t["key_proj.bias"]))
    return _attend(F_.linear(h, t["energy.weight"]).squeeze(-1), keys, t.get("mask"))


def _ref_luong(t, opt):
    q, keys = t["query"], t["keys"]
    F_ = torch.nn.functional
    score = opt.get("score")
    if score == "dot":
        scores = torch.bmm(keys, q.unsqueeze(-1)).squeeze(-1)
    elif score == "general":
        scores = torch.bmm(keys, F_.linear(q, t["attn.weight"]).unsqueeze(-1)).squeeze(-1)
    elif score == "concat":
        qe = q.unsqueeze(1).expand(-1, keys.shape[1], -1)
        scores = F_.linear(torch.tanh(F_.linear(torch.cat([qe, keys], -1), t["attn.weight"])), t["v.weight"]).squeeze(-1)
    else:
        raise OracleError("unknown luong score %r" % (score,))
    return _attend(scores, keys, t.get("mask"))


_ATTENTION_REFS = {"sdpa": _ref_sdpa, "additive": _ref_additive, "luong": _ref_luong}


def handle_attention_ref(req):
    """tensors: {name: tensor} (leaves, in order); options: {...}; outputs [result, weights]; grads by name."""
    name = req.get("name")
    if name not in _ATTENTION_REFS:
        raise OracleError("unknown attention reference %r" % (name,))
    raw = req.get("tensors") or {}
    if not isinstance(raw, dict):
        raise OracleError("tensors must be an object")
    dec = Decoder(want_grad=True)
    t = {k: dec.value(v) for k, v in raw.items()}
    outputs = _ATTENTION_REFS[name](t, req.get("options") or {})
    resp = {"outputs": [encode_value(o) for o in outputs], "grads": None}
    if req.get("grad_outputs") is not None:
        names = list(t.keys())
        grads = backward_grads(outputs, req["grad_outputs"], [t[k] for k in names])
        resp["grads"] = {k: encode_optional_tensor(g) for k, g in zip(names, grads)}
    return resp


# --------------------------------------------------------------------------- #
# torchvision building blocks (conv branch): a fixed allow-list, built from keyword
# arguments, then run exactly like a "module" request (state, train flag, grads, state_after).
# --------------------------------------------------------------------------- #

def _build_vision_block(name, kw):
    if name == "resnet.BasicBlock":
        from torchvision.models import resnet
        inplanes, planes, stride = int(kw["inplanes"]), int(kw["planes"]), int(kw.get("stride", 1))
        down = None
        if stride != 1 or inplanes != planes:  # as torchvision's ResNet._make_layer builds it
            down = torch.nn.Sequential(resnet.conv1x1(inplanes, planes, stride), torch.nn.BatchNorm2d(planes))
        return resnet.BasicBlock(inplanes, planes, stride, down)
    if name == "mobilenetv2.InvertedResidual":
        from torchvision.models import mobilenetv2
        return mobilenetv2.InvertedResidual(int(kw["inp"]), int(kw["oup"]), int(kw["stride"]), float(kw["expand_ratio"]))
    if name == "densenet._DenseLayer":
        from torchvision.models import densenet
        return densenet._DenseLayer(int(kw["num_input_features"]), int(kw["growth_rate"]), int(kw["bn_size"]), float(kw.get("drop_rate", 0.0)))
    if name == "densenet._DenseBlock":
        from torchvision.models import densenet
        return densenet._DenseBlock(int(kw["num_layers"]), int(kw["num_input_features"]), int(kw["bn_size"]),
                                    int(kw["growth_rate"]), float(kw.get("drop_rate", 0.0)))
    if name == "densenet._Transition":
        from torchvision.models import densenet
        return densenet._Transition(int(kw["num_input_features"]), int(kw["num_output_features"]))
    raise OracleError("unknown vision block %r" % (name,))


def handle_vision_block(req):
    kw = Decoder(want_grad=False).value(req.get("kwargs") or {})
    if not isinstance(kw, dict):
        raise OracleError("kwargs must be an object")
    module = _build_vision_block(req.get("block"), kw).to(_dtype_of(req.get("dtype")))
    missing, unexpected = load_state(module, req.get("state"))
    module.train(bool(req.get("train", False)))
    dec = Decoder(want_grad=True)
    inputs = dec.value(req.get("inputs") or [])
    outputs = flatten_outputs(module(*inputs), [])
    named = list(module.named_parameters())
    resp = {"outputs": [encode_value(o) for o in outputs], "grads": None, "param_grads": None,
            "missing_keys": missing, "unexpected_keys": unexpected}
    if req.get("grad_outputs") is not None:
        leaves = list(dec.tensors) + [p for _, p in named]
        grads = backward_grads(outputs, req["grad_outputs"], leaves)
        n_in = len(dec.tensors)
        resp["grads"] = [encode_optional_tensor(g) for g in grads[:n_in]]
        resp["param_grads"] = {name: encode_optional_tensor(g) for (name, _), g in zip(named, grads[n_in:])}
    resp["state_after"] = {k: encode_tensor(v) for k, v in module.state_dict().items()}
    return resp


_HANDLERS = {
    "ping": handle_ping,
    "call": handle_call,
    "module": handle_module,
    "optim": handle_optim,
    "train_mlp": handle_train_mlp,
    "vision_block": handle_vision_block,
    "attention_ref": handle_attention_ref,
}


def handle_line(line):
    req_id = None
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            raise OracleError("request must be a JSON object")
        req_id = req.get("id")
        kind = req.get("kind")
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise OracleError("unknown request kind %r" % (kind,))
        # Reseed per request so results (module init, dropout) do not depend on history.
        seed = req.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise OracleError("seed must be an integer")
        torch.manual_seed(seed)
        resp = {"ok": True}
        resp.update(handler(req))
    except Exception as e:  # a failing request must not kill the process
        tb = traceback.format_exc()
        resp = {"ok": False, "error": "%s: %s\n%s" % (type(e).__name__, e, tb)}
    if req_id is not None:
        resp["id"] = req_id
    try:
        return json.dumps(resp, allow_nan=False, separators=(",", ":"))
    except Exception as e:
        err = {"ok": False, "error": "response encoding failed: %s: %s\n%s"
               % (type(e).__name__, e, traceback.format_exc())}
        if req_id is not None:
            err["id"] = req_id
        return json.dumps(err)


def main():
    stdin = sys.stdin.buffer
    while True:
        raw = stdin.readline()
        if not raw:
            break
        line = raw.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        out = handle_line(line)
        _RESPONSE_OUT.write(out + "\n")
        _RESPONSE_OUT.flush()


if __name__ == "__main__":
    main()
