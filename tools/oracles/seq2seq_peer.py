"""Peer of `bench seq2seq` and of the BLEU record in docs/translation.md: the same translator as MLNetDeep's
Seq2Seq defaults in PyTorch 1.13 — Embedding(V_src, 256, padding 0) -> GRU(256 -> 256) encoder over packed
sequences; decoder Embedding(V_tgt, 256, padding 0) -> GRU(256 -> 256) run over the whole teacher-forced target
at once; Luong dot attention applied after the decoder RNN (no input feeding; padded source positions masked);
tanh(Linear(512 -> 256)([context; h])) -> Linear(256 -> V_tgt); per-token cross-entropy (padding ignored); Adam
1e-3; gradient-norm clipping 5; batch 64 built from length-sorted pairs (shuffled, stably sorted by source then
target length, cut into batches, batches shuffled); vocabularies <pad> <s> </s> <unk> + words by frequency.

    seq2seq_peer.py --data DIR [--pairs N] [--epochs 1] [--threads 2] [--eval]

Prints `tokens_per_s=<x>` (source + target tokens incl. </s>, per second of training steps, over all epochs),
`seconds=<s>`, `loss=<last epoch mean per-token loss>`, and with --eval the test BLEU x 100 of greedy decoding
(nltk corpus_bleu, default weights) as `bleu=<b>`, after each epoch as `epoch<k>_bleu=<b>`.
"""
import argparse
import os
import random
import time
from collections import Counter

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--pairs", type=int, default=0, help="use the first N training pairs (0: all)")
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--dim", type=int, default=256)
p.add_argument("--hidden", type=int, default=256)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--clip", type=float, default=5.0)
p.add_argument("--min-count", type=int, default=1)
p.add_argument("--max-len", type=int, default=50)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--eval", action="store_true")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
random.seed(args.seed)
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
PAD, BOS, EOS, UNK = 0, 1, 2, 3


def read(name):
    with open(os.path.join(args.data, name), encoding="utf-8") as f:
        return [line.split() for line in f]


def vocab(sentences):
    counts = Counter()
    first = {}
    for s in sentences:
        for w in s:
            counts[w] += 1
            first.setdefault(w, len(first))
    words = sorted((w for w in counts if counts[w] >= args.min_count and w not in SPECIALS), key=lambda w: (-counts[w], first[w]))
    return {w: i for i, w in enumerate(SPECIALS + words)}


src_train, tgt_train = read("train.en"), read("train.ja")
if args.pairs:
    src_train, tgt_train = src_train[: args.pairs], tgt_train[: args.pairs]
sv, tv = vocab(src_train), vocab(tgt_train)
itos = {i: w for w, i in tv.items()}
enc = lambda s, v: [v.get(w, UNK) for w in s]
src_ids = [enc(s, sv) for s in src_train]
tgt_ids = [enc(s, tv) for s in tgt_train]


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.src_emb = nn.Embedding(len(sv), args.dim, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(len(tv), args.dim, padding_idx=PAD)
        self.encoder = nn.GRU(args.dim, args.hidden)
        self.decoder = nn.GRU(args.dim, args.hidden)
        self.combine = nn.Linear(2 * args.hidden, args.hidden)
        self.out = nn.Linear(args.hidden, len(tv))

    def encode(self, src, lengths):  # src [S, B]
        packed = nn.utils.rnn.pack_padded_sequence(self.src_emb(src), lengths, enforce_sorted=False)
        out, h = self.encoder(packed)
        keys, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=src.size(0))
        keys = keys.transpose(0, 1)  # [B, S, H]
        mask = (src == PAD).t().unsqueeze(1)  # [B, 1, S]
        return keys, mask, h

    def decode(self, tgt, h, keys, mask):  # tgt [T, B]
        out, h = self.decoder(self.tgt_emb(tgt), h)
        q = out.transpose(0, 1)  # [B, T, H]
        scores = q.bmm(keys.transpose(1, 2)).masked_fill(mask, -1e9)
        context = torch.softmax(scores, -1).bmm(keys)
        return self.out(torch.tanh(self.combine(torch.cat([context, q], -1)))), h


def batch_tensors(rows, srcs, tgts=None):
    b = len(rows)
    s = max(1, max(len(srcs[i]) for i in rows))
    src = torch.zeros(s, b, dtype=torch.long)
    lengths = []
    for j, i in enumerate(rows):
        x = srcs[i] or [UNK]
        src[: len(x), j] = torch.tensor(x)
        lengths.append(len(x))
    if tgts is None:
        return src, lengths, None, None
    t = max(len(tgts[i]) for i in rows) + 1
    tin = torch.zeros(t, b, dtype=torch.long)
    tout = torch.zeros(b, t, dtype=torch.long)
    for j, i in enumerate(rows):
        y = tgts[i]
        tin[0, j] = BOS
        tin[1 : len(y) + 1, j] = torch.tensor(y, dtype=torch.long)
        tout[j, : len(y)] = torch.tensor(y, dtype=torch.long)
        tout[j, len(y)] = EOS
    return src, lengths, tin, tout


def bucketed():
    order = list(range(len(src_ids)))
    random.shuffle(order)
    order.sort(key=lambda i: (len(src_ids[i]), len(tgt_ids[i])))
    batches = [order[k : k + args.batch] for k in range(0, len(order), args.batch)]
    random.shuffle(batches)
    return batches


model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)


def greedy(srcs):
    model.eval()
    result = [None] * len(srcs)
    ids = [enc(s, sv) for s in srcs]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.no_grad():
        for k in range(0, len(order), args.batch):
            rows = order[k : k + args.batch]
            src, lengths, _, _ = batch_tensors(rows, ids)
            keys, mask, h = model.encode(src, lengths)
            prev = torch.full((1, len(rows)), BOS, dtype=torch.long)
            outs = [[] for _ in rows]
            done = [False] * len(rows)
            for _ in range(args.max_len):
                logits, h = model.decode(prev, h, keys, mask)
                prev = logits.argmax(-1).t()  # [1, B]
                for j, tok in enumerate(prev[0].tolist()):
                    if done[j]:
                        continue
                    if tok == EOS:
                        done[j] = True
                    else:
                        outs[j].append(itos[tok])
                if all(done):
                    break
            for j, i in enumerate(rows):
                result[i] = outs[j]
    model.train()
    return result


def bleu():
    from nltk.translate.bleu_score import corpus_bleu
    import warnings
    hyps = greedy(read("test.en"))
    refs = [[r] for r in read("test.ja")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return 100 * corpus_bleu(refs, hyps)


tokens, seconds, last_loss = 0, 0.0, float("nan")
for epoch in range(1, args.epochs + 1):
    loss_sum, n_sum = 0.0, 0
    t0 = time.perf_counter()
    for rows in bucketed():
        src, lengths, tin, tout = batch_tensors(rows, src_ids, tgt_ids)
        opt.zero_grad()
        keys, mask, h = model.encode(src, lengths)
        logits, _ = model.decode(tin, h, keys, mask)
        loss = loss_fn(logits.reshape(-1, logits.size(-1)), tout.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        n = int((tout != PAD).sum())
        loss_sum += loss.item() * n
        n_sum += n
        tokens += n + sum(lengths)
    seconds += time.perf_counter() - t0
    last_loss = loss_sum / n_sum
    print(f"epoch{epoch}_loss={last_loss:.4f}", flush=True)
    if args.eval:
        print(f"epoch{epoch}_bleu={bleu():.2f}", flush=True)
print(f"tokens_per_s={tokens / seconds:.1f}")
print(f"seconds={seconds:.2f}")
print(f"loss={last_loss:.4f}")
if args.eval:
    print(f"bleu={bleu():.2f}")
