"""The request loop shared by the long-lived JSON-line oracles (onnx_checker.py, bleu_oracle.py): one JSON
request per line on stdin, one response per line on `out`: {"ok": true, ...handler's fields} or
{"ok": false, "error": traceback}, echoing the request's "id". Import it from a script in this folder."""
import json
import sys
import traceback


def serve(handle, out):
    """Answers every stdin line with handle(request)'s fields until stdin closes."""
    for line in sys.stdin:
        if not line.strip():
            continue
        req = None
        try:
            req = json.loads(line)
            resp = {"ok": True}
            resp.update(handle(req))
        except Exception:
            resp = {"ok": False, "error": traceback.format_exc()}
        if isinstance(req, dict) and "id" in req:
            resp["id"] = req["id"]
        out.write(json.dumps(resp) + "\n")
        out.flush()
