#!/usr/bin/env python3
"""Detection/segmentation oracle for MLNetDeep's tests.

Geometry comes from torchvision 0.14 (ops.box_iou, ops.generalized_box_iou, ops.batched_nms, ops.generalized_box_iou_loss, and the BoxCoder
and SSDMatcher of torchvision.models.detection); the metrics are a plain numpy re-statement of the Pascal VOC devkit's
all-point AP and of pycocotools' COCOeval (evaluateImg + accumulate, area range "all", no crowd boxes), written
from the published algorithms so it checks MLNetDeep independently.

A long-lived process: one JSON request per line on stdin, one JSON response per line on stdout; every request
carries a list of "cases" and gets a list of "results" back (see handle()).
"""

import json_line_loop

_OUT = json_line_loop.take_stdout()

try:
    import numpy as np
    import torch
    import torchvision
    from torchvision.ops import box_iou, generalized_box_iou, batched_nms, generalized_box_iou_loss
    from torchvision.models.detection._utils import BoxCoder, SSDMatcher
except Exception:  # reported via stderr (last line) and exit code 3
    json_line_loop.import_failed("detection_oracle", "torch/torchvision")


def _boxes(rows):
    return torch.tensor(rows, dtype=torch.float32).reshape(-1, 4)


def iou_case(case, generalized):
    fn = generalized_box_iou if generalized else box_iou
    return fn(_boxes(case["a"]), _boxes(case["b"])).reshape(-1).tolist()


def nms_case(case):
    boxes = _boxes(case["boxes"])
    scores = torch.tensor(case["scores"], dtype=torch.float32)
    classes = torch.tensor(case["classes"], dtype=torch.int64)
    candidates = torch.nonzero(scores > case["score_threshold"]).reshape(-1)
    keep = batched_nms(boxes[candidates], scores[candidates], classes[candidates], case["iou_threshold"])
    return candidates[keep][: case["max_detections"]].tolist()


def coder_case(case):
    v0, v1 = case["variances"]
    coder = BoxCoder(weights=(1.0 / v0, 1.0 / v0, 1.0 / v1, 1.0 / v1))
    priors = torch.tensor(case["priors"], dtype=torch.float32).reshape(-1, 4)  # cx, cy, w, h
    proposals = torch.cat([priors[:, :2] - 0.5 * priors[:, 2:], priors[:, :2] + 0.5 * priors[:, 2:]], dim=1)
    encoded = coder.encode_single(_boxes(case["boxes"]), proposals)
    decoded = coder.decode_single(torch.tensor(case["offsets"], dtype=torch.float32).reshape(-1, 4), proposals)
    return {"encoded": encoded.reshape(-1).tolist(), "decoded": decoded.reshape(-1).tolist()}


def giou_loss_case(case):
    predicted = _boxes(case["predicted"]).double().requires_grad_(True)
    loss = generalized_box_iou_loss(predicted, _boxes(case["target"]).double(), reduction="sum")
    loss.backward()
    return {"loss": float(loss), "grad": predicted.grad.reshape(-1).tolist()}


def ssd_match_case(case):
    priors = torch.tensor(case["priors"], dtype=torch.float32).reshape(-1, 4)  # cx, cy, w, h
    corners = torch.cat([priors[:, :2] - 0.5 * priors[:, 2:], priors[:, :2] + 0.5 * priors[:, 2:]], dim=1)
    matches = SSDMatcher(case["threshold"])(box_iou(_boxes(case["boxes"]), corners))
    return [int(m) if m >= 0 else -1 for m in matches.tolist()]


# ---------------------------------------------------------------- metrics (numpy, independent of the C# code)

def iou_xywh(dets, gts):
    """IoU matrix (len(dets) x len(gts)) of [x, y, w, h] boxes, in float32 like the code under test."""
    d = np.asarray(dets, dtype=np.float32).reshape(-1, 4)
    g = np.asarray(gts, dtype=np.float32).reshape(-1, 4)
    dx2, dy2 = d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]
    gx2, gy2 = g[:, 0] + g[:, 2], g[:, 1] + g[:, 3]
    iw = np.maximum(np.float32(0), np.minimum(dx2[:, None], gx2[None, :]) - np.maximum(d[:, 0][:, None], g[:, 0][None, :]))
    ih = np.maximum(np.float32(0), np.minimum(dy2[:, None], gy2[None, :]) - np.maximum(d[:, 1][:, None], g[:, 1][None, :]))
    inter = iw * ih
    area_d = (dx2 - d[:, 0]) * (dy2 - d[:, 1])
    area_g = (gx2 - g[:, 0]) * (gy2 - g[:, 1])
    union = area_d[:, None] + area_g[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0).astype(np.float32)


def voc_ap(rec, prec):
    """VOC2010+ all-point AP."""
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def voc_class(gt, pred, cls):
    npos = 0
    gts, detected = {}, {}
    for img, boxes in enumerate(gt):
        mine = [b[:4] for b in boxes if int(b[4]) == cls]
        gts[img] = mine
        detected[img] = [False] * len(mine)
        npos += len(mine)
    dets = [(img, b[5], b[:4]) for img, boxes in enumerate(pred) for b in boxes if int(b[4]) == cls]
    order = np.argsort(-np.array([d[1] for d in dets]), kind="mergesort")
    tp = np.zeros(len(dets))
    fp = np.zeros(len(dets))
    for k, j in enumerate(order):
        img, _, box = dets[j]
        ovmax, jmax = -np.inf, -1
        if gts[img]:
            ov = iou_xywh([box], gts[img])[0]
            jmax = int(np.argmax(ov))
            ovmax = ov[jmax]
        if ovmax > 0.5 and not detected[img][jmax]:
            tp[k] = 1
            detected[img][jmax] = True
        else:
            fp[k] = 1
    fp, tp = np.cumsum(fp), np.cumsum(tp)
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return voc_ap(rec, prec)


def coco_class(gt, pred, cls, max_dets):
    thresholds = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
    rec_thrs = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
    per_image = []  # (scores, matched[T, D]) per image
    npig = 0
    for img in range(len(gt)):
        g = [b[:4] for b in gt[img] if int(b[4]) == cls]
        d = [b for b in pred[img] if int(b[4]) == cls]
        npig += len(g)
        order = np.argsort([-b[5] for b in d], kind="mergesort")
        d = [d[i] for i in order[:max_dets]]
        matched = np.zeros((len(thresholds), len(d)))
        if g and d:
            ious = iou_xywh([b[:4] for b in d], g)
            for t_index, t in enumerate(thresholds):
                gt_taken = np.zeros(len(g))
                for d_index in range(len(d)):
                    best = min(t, 1 - 1e-10)
                    m = -1
                    for g_index in range(len(g)):
                        if gt_taken[g_index] > 0:
                            continue
                        if ious[d_index, g_index] < best:
                            continue
                        best = ious[d_index, g_index]
                        m = g_index
                    if m == -1:
                        continue
                    gt_taken[m] = 1
                    matched[t_index, d_index] = 1
        per_image.append((np.array([b[5] for b in d]), matched))
    scores = np.concatenate([s for s, _ in per_image]) if per_image else np.zeros(0)
    matches = np.concatenate([m for _, m in per_image], axis=1) if per_image else np.zeros((len(thresholds), 0))
    inds = np.argsort(-scores, kind="mergesort")
    tps = matches[:, inds]
    fps = np.logical_not(tps)
    tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
    fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
    aps = []
    for tp, fp in zip(tp_sum, fp_sum):
        nd = len(tp)
        rc = tp / npig
        pr = (tp / (fp + tp + np.spacing(1))).tolist()
        q = np.zeros(len(rec_thrs))
        for i in range(nd - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        idx = np.searchsorted(rc, rec_thrs, side="left")
        for ri, pi in enumerate(idx):
            if pi >= nd:
                break
            q[ri] = pr[pi]
        aps.append(float(np.mean(q)))
    return aps


def metrics_case(case):
    gt, pred = case["gt"], case["pred"]
    classes = sorted({int(b[4]) for boxes in gt for b in boxes})
    out = []
    for c in classes:
        coco = coco_class(gt, pred, c, case.get("max_dets", 100))
        out.append({"class": c, "voc": voc_class(gt, pred, c), "coco": float(np.mean(coco)), "coco50": coco[0], "coco75": coco[5]})
    return out


def segmentation_case(case):
    k = case["classes"]
    t = np.asarray(case["truth"], dtype=np.int64)
    p = np.asarray(case["pred"], dtype=np.int64)
    cm = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    inter = np.diag(cm).astype(float)
    union = cm.sum(0) + cm.sum(1) - np.diag(cm)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / union
    return {"miou": float(np.nanmean(iou)), "pixel_accuracy": float(inter.sum() / cm.sum())}


def handle(req):
    kind = req.get("kind")
    if kind == "ping":
        return {"torch": torch.__version__, "torchvision": torchvision.__version__, "numpy": np.__version__}
    cases = req["cases"]
    if kind == "box_iou":
        return {"results": [iou_case(c, False) for c in cases]}
    if kind == "generalized_box_iou":
        return {"results": [iou_case(c, True) for c in cases]}
    if kind == "nms":
        return {"results": [nms_case(c) for c in cases]}
    if kind == "box_coder":
        return {"results": [coder_case(c) for c in cases]}
    if kind == "giou_loss":
        return {"results": [giou_loss_case(c) for c in cases]}
    if kind == "ssd_match":
        return {"results": [ssd_match_case(c) for c in cases]}
    if kind == "detection_metrics":
        return {"results": [metrics_case(c) for c in cases]}
    if kind == "segmentation":
        return {"results": [segmentation_case(c) for c in cases]}
    raise ValueError("unknown request kind %r" % (kind,))


def main():
    torch.set_num_threads(1)
    json_line_loop.serve(handle, _OUT)


if __name__ == "__main__":
    main()
