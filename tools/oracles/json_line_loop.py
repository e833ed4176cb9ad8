"""The request loop shared by the long-lived JSON-line oracles (onnx_checker.py, bleu_oracle.py,
word2vec_oracle.py): one JSON
request per line on stdin, one response per line on `out`: {"ok": true, ...handler's fields} or
{"ok": false, "error": traceback}, echoing the request's "id". Import it from a script in this folder."""
import json
import sys
import traceback


def take_stdout():
    """Returns the real stdout for responses and points sys.stdout at stderr, so that stray prints of the
    reference software cannot corrupt the protocol."""
    out = sys.stdout
    sys.stdout = sys.stderr
    return out


def import_failed(script, what):
    """Call from an `except` around the reference software's imports: writes the traceback and a last line
    "<script>: import <what> failed: ..." (which the C# client reports) to stderr and exits with code 3."""
    e = sys.exc_info()[1]
    sys.stderr.write(traceback.format_exc())
    sys.stderr.write("%s: import %s failed: %s: %s\n" % (script, what, type(e).__name__, e))
    sys.stderr.flush()
    sys.exit(3)


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
