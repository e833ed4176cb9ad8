#!/usr/bin/env python3
"""BLEU oracle for MLNetDeep's translation tests: nltk's corpus_bleu (default weights, no smoothing).

A long-lived process: one JSON request per line on stdin, one JSON response per line on stdout.

    {"id": 1, "kind": "ping"}                          -> {"id": 1, "ok": true, "nltk": "<version>"}
    {"id": 2, "kind": "bleu", "hypotheses": [[tok...]...],
     "references": [[[tok...]...]...]}                 -> {"id": 2, "ok": true, "bleu": <float>}

Protocol failures answer {"ok": false, "error": ...}.
"""

import sys
import warnings

import json_line_loop

_OUT = json_line_loop.take_stdout()

try:
    import nltk
    from nltk.translate.bleu_score import corpus_bleu
except Exception:  # reported via stderr (last line) and exit code 3
    json_line_loop.import_failed("bleu_oracle", "nltk")


def handle(req):
    kind = req.get("kind")
    if kind == "ping":
        return {"nltk": nltk.__version__}
    if kind == "bleu":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            score = corpus_bleu(req["references"], req["hypotheses"])
        return {"bleu": float(score)}
    raise ValueError("unknown request kind %r" % (kind,))


def main():
    json_line_loop.serve(handle, _OUT)


if __name__ == "__main__":
    main()
