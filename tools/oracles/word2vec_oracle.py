#!/usr/bin/env python3
"""gensim word2vec oracle and benchmark peer for MLNetDeep's Word2Vec trainer.

Server mode (no arguments): one JSON request per line on stdin, one JSON response per line on stdout.

    {"id": 1, "kind": "ping"}  -> {"id": 1, "ok": true, "gensim": "<version>"}
    {"id": 2, "kind": "train", "corpus": path, "options": {...}, "neighbours_of": 200, "topn": 10,
     "save_text": path?, "save_binary": path?, "vectors_of": [words]?}
        -> {"id": 2, "ok": true, "vocab": n, "words_per_s": x, "seconds": s,
            "neighbours": {word: [n1, ...]}, "vectors": {word: [...]}}
    {"id": 3, "kind": "load", "path": path, "binary": bool, "words": [...], "query": word?, "topn": 10}
        -> {"id": 3, "ok": true, "count": n, "size": d, "vectors": {word: [...]}, "similar": [[w, s], ...]}

"options" use gensim's names (sg, vector_size, window, min_count, sample, negative, hs, alpha,
min_alpha, epochs, workers, seed). "neighbours_of" = N: the top-`topn` cosine neighbours of the N most
frequent words. words_per_s = effective training speed: in-vocabulary corpus words × epochs / training
seconds (the same measure our trainer reports).

Peer mode: word2vec_oracle.py --peer CORPUS key=value ... trains once and prints
`words_per_s=<x>`, `seconds=<s>`, `vocab=<n>` and `words_per_cpu_s=<y>` lines (y: the same words over the
process CPU time of the vocabulary pass plus training, all threads; less sensitive to a loaded machine).
"""

import sys
import time

import json_line_loop

_OUT = json_line_loop.take_stdout()

try:
    import gensim
    from gensim.models import KeyedVectors, Word2Vec
    from gensim.models.word2vec import LineSentence
except Exception:  # reported via stderr (last line) and exit code 3
    json_line_loop.import_failed("word2vec_oracle", "gensim")

_INT = {"sg", "vector_size", "window", "min_count", "negative", "hs", "epochs", "workers", "seed", "max_final_vocab"}


def train(corpus, options):
    opts = {k: (int(v) if k in _INT else float(v)) for k, v in options.items()}
    epochs = opts.pop("epochs", 5)
    model = Word2Vec(**opts, epochs=epochs)
    sentences = LineSentence(corpus)
    cpu0 = time.process_time()
    model.build_vocab(sentences)
    t0 = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    kv = model.wv
    in_vocab = sum(kv.get_vecattr(w, "count") for w in kv.index_to_key)
    model.cpu_seconds = cpu
    return model, seconds, in_vocab * epochs / seconds


def handle(req):
    kind = req.get("kind")
    if kind == "ping":
        return {"gensim": gensim.__version__}
    if kind == "train":
        model, seconds, wps = train(req["corpus"], req.get("options", {}))
        kv = model.wv
        out = {"vocab": len(kv.index_to_key), "words_per_s": wps, "seconds": seconds}
        n = int(req.get("neighbours_of", 0))
        topn = int(req.get("topn", 10))
        out["neighbours"] = {w: [x for x, _ in kv.most_similar(w, topn=topn)] for w in kv.index_to_key[:n]}
        out["vectors"] = {w: kv[w].tolist() for w in req.get("vectors_of", []) if w in kv.key_to_index}
        if req.get("save_text"):
            kv.save_word2vec_format(req["save_text"], binary=False)
        if req.get("save_binary"):
            kv.save_word2vec_format(req["save_binary"], binary=True)
        return out
    if kind == "load":
        kv = KeyedVectors.load_word2vec_format(req["path"], binary=bool(req.get("binary")))
        out = {"count": len(kv.index_to_key), "size": kv.vector_size, "words": kv.index_to_key[:50],
               "vectors": {w: kv[w].tolist() for w in req.get("words", []) if w in kv.key_to_index}}
        if req.get("query"):
            out["similar"] = [[w, float(s)] for w, s in kv.most_similar(req["query"], topn=int(req.get("topn", 10)))]
        return out
    raise ValueError("unknown request kind %r" % (kind,))


def peer(argv):
    corpus = argv[0]
    options = dict(a.split("=", 1) for a in argv[1:])
    model, seconds, wps = train(corpus, options)
    in_vocab = sum(model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key)
    _OUT.write("words_per_s=%.1f\nseconds=%.3f\nvocab=%d\nwords_per_cpu_s=%.1f\n" % (wps, seconds, len(model.wv.index_to_key), in_vocab * model.epochs / model.cpu_seconds))
    _OUT.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--peer":
        peer(sys.argv[2:])
    else:
        json_line_loop.serve(handle, _OUT)
