#!/usr/bin/env python3
"""ONNX checker oracle for MLNetDeep's ONNX export tests.

A long-lived process: one JSON request per line on stdin, one JSON response per line on stdout.

    {"id": 1, "kind": "ping"}                 -> {"id": 1, "ok": true, "onnx": "<version>"}
    {"id": 2, "kind": "check", "model": path} -> {"id": 2, "ok": true, "valid": true}
                                              or {"id": 2, "ok": true, "valid": false, "error": "<checker message>"}

"check" runs onnx.checker.check_model(model, full_check=True), which also runs strict shape
inference. Protocol failures answer {"ok": false, "error": ...}.
"""

import sys

import json_line_loop

_OUT = json_line_loop.take_stdout()

try:
    import onnx
    import onnx.checker
except Exception:  # reported via stderr (last line) and exit code 3
    json_line_loop.import_failed("onnx_checker", "onnx")


def handle(req):
    kind = req.get("kind")
    if kind == "ping":
        return {"onnx": onnx.__version__}
    if kind == "check":
        path = req["model"]
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # the checker's verdict, not a protocol failure
            return {"valid": False, "error": "%s: %s" % (type(e).__name__, e)}
        return {"valid": True}
    raise ValueError("unknown request kind %r" % (kind,))


def main():
    json_line_loop.serve(handle, _OUT)


if __name__ == "__main__":
    main()
