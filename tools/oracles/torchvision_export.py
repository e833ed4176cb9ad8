"""Exports torchvision models (random seeded weights, eval mode) to ONNX for the managed runtime's
tests and benchmark, with inputs and PyTorch's outputs.

usage: torchvision_export.py --out DIR [--models resnet18,mobilenet_v2,densenet121] [--size 64]
                             [--batches 2,3] [--opset 13]

Writes DIR/<model>.onnx (dynamic batch axis) and, per batch size B, DIR/<model>_b<B>_input.f32 and
DIR/<model>_b<B>_output.f32 (raw little-endian float32, C order) plus DIR/manifest.json with the shapes.
"""
import argparse
import json
import os

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)
parser.add_argument("--models", default="resnet18,mobilenet_v2,densenet121")
parser.add_argument("--size", type=int, default=64)
parser.add_argument("--batches", default="2,3")
parser.add_argument("--opset", type=int, default=13)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

torch.set_num_threads(args.threads)
os.makedirs(args.out, exist_ok=True)
manifest = {}
for name in args.models.split(","):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None)
    # Non-trivial normalization statistics, so BatchNormalization is really exercised.
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    model.eval()
    path = os.path.join(args.out, name + ".onnx")
    dummy = torch.randn(1, 3, args.size, args.size)
    torch.onnx.export(model, dummy, path, opset_version=args.opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    entry = {"file": name + ".onnx", "cases": []}
    for b in [int(v) for v in args.batches.split(",")]:
        x = torch.randn(b, 3, args.size, args.size, generator=g)
        with torch.no_grad():
            y = model(x)
        stem = f"{name}_b{b}"
        x.numpy().astype("<f4").tofile(os.path.join(args.out, stem + "_input.f32"))
        y.numpy().astype("<f4").tofile(os.path.join(args.out, stem + "_output.f32"))
        entry["cases"].append({"batch": b, "input": stem + "_input.f32", "input_shape": list(x.shape),
                               "output": stem + "_output.f32", "output_shape": list(y.shape)})
    manifest[name] = entry
with open(os.path.join(args.out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print("ok")
