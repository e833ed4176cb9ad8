"""Peer for `bench detector-train`: times one Adam training step (zero-grad, forward, SSD multibox loss with
hard-negative mining, backward, update) of the SSD detector of src/Estimators/Vision/Detection/SsdNetwork.cs written
in PyTorch, on 3x128x128 inputs, batch 16, 10 classes, stem width 16, depth 1, with 2 threads. The targets (synthetic boxes
matched to the default boxes by torchvision's SSDMatcher and encoded by its BoxCoder) are computed once, outside the
timed step, as in bench/MLNetDeep.Bench/DetectorTrainSuite.cs. Prints `params=<n>`, `priors=<n>`, `positives=<n>`,
`cpu_ms_per_step=<x>` and `steps_per_s=<x>` (median of repeated timed blocks)."""
import math

import torch
import torch.nn.functional as F
from torchvision.models.detection._utils import BoxCoder, SSDMatcher
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.ops import box_iou

import peer_timing

parser = peer_timing.parser(batch=16, steps=5)
parser.add_argument("--input", type=int, default=128)
parser.add_argument("--classes", type=int, default=10)
parser.add_argument("--width", type=int, default=16)
parser.add_argument("--depth", type=int, default=1)
parser.add_argument("--boxes", type=int, default=3)
parser.add_argument("--warmup", type=int, default=10)
args = peer_timing.parse_and_pin(parser)

ASPECT_RATIOS = [1.0, 2.0, 0.5]
SCALES = [0.18, 0.38, 0.65]
NEGATIVES_PER_POSITIVE = 3
POSITIVE_IOU = 0.5
CODER = BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))  # variances 0.1 (centre), 0.2 (log size)


class SsdNet(torch.nn.Module):
    """Stem (3x3 s2 conv, BN, ReLU6), four stride-2 stages of inverted residuals (each a stride-2 block then `depth`
    stride-1 blocks, the second stage one more), a top-down path (1x1 conv of the deeper map, x2 nearest up-sampling,
    added to the shallower map) into the stride-16 and stride-8 maps, and 3x3 heads on strides 8, 16, 32."""

    def __init__(self, classes, w, depth):
        super().__init__()
        c1, c2, c3, c4 = w * 3 // 2, w * 2, w * 4, w * 6
        self.values = 4 + classes + 1
        per_cell = len(ASPECT_RATIOS) + 1

        def stage(cin, cout, expand, extra):
            return torch.nn.Sequential(InvertedResidual(cin, cout, 2, expand), *[InvertedResidual(cout, cout, 1, 4) for _ in range(extra)])

        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, w, 3, 2, 1, bias=False), torch.nn.BatchNorm2d(w), torch.nn.ReLU6())
        self.stage1 = stage(w, c1, 1, depth)
        self.stage2 = stage(c1, c2, 4, depth + 1)
        self.stage3 = stage(c2, c3, 4, depth)
        self.stage4 = stage(c3, c4, 4, depth)
        self.lateral2 = torch.nn.Conv2d(c4, c3, 1)
        self.lateral1 = torch.nn.Conv2d(c3, c2, 1)
        self.heads = torch.nn.ModuleList(torch.nn.Conv2d(c, per_cell * self.values, 3, 1, 1) for c in (c2, c3, c4))

    def forward(self, x):
        a = self.stage2(self.stage1(self.stem(x)))
        b = self.stage3(a)
        c = self.stage4(b)
        b = b + F.interpolate(self.lateral2(c), scale_factor=2.0, mode="nearest")
        a = a + F.interpolate(self.lateral1(b), scale_factor=2.0, mode="nearest")
        return torch.cat([h(f).permute(0, 2, 3, 1).reshape(x.shape[0], -1, self.values)
                          for h, f in zip(self.heads, (a, b, c))], 1)


def default_boxes(size, maps):
    """Centre-size priors in pixels, ordered map, row, column, box (the formula of DefaultBoxes.cs)."""
    out = []
    for k, f in enumerate(maps):
        s = SCALES[k]
        extra = math.sqrt(s * (SCALES[k + 1] if k + 1 < len(SCALES) else 1.0))
        for i in range(f):
            for j in range(f):
                cx, cy = (j + 0.5) / f * size, (i + 0.5) / f * size
                for a in ASPECT_RATIOS:
                    r = math.sqrt(a)
                    out.append((cx, cy, s * r * size, s / r * size))
                out.append((cx, cy, extra * size, extra * size))
    return torch.tensor(out, dtype=torch.float32)


def synthetic_boxes(images, per_image, size, classes):
    """The boxes DetectorTrainSuite.SyntheticBoxes draws: a 31-bit LCG gives side, corner and label of each box."""
    state = 12345

    def uniform():
        nonlocal state
        state = (state * 1103515245 + 12345) % (1 << 31)
        return state / float(1 << 31)

    result = []
    for _ in range(images):
        boxes, labels = [], []
        for _ in range(per_image):
            w, h = 16 + 64 * uniform(), 16 + 64 * uniform()
            x1, y1 = uniform() * (size - w), uniform() * (size - h)
            boxes.append((x1, y1, x1 + w, y1 + h))
            labels.append(min(classes, 1 + int(uniform() * classes)))
        result.append((torch.tensor(boxes, dtype=torch.float32), torch.tensor(labels)))
    return result


def assign(boxes, labels, priors):
    """Class and offset targets per prior: torchvision's SSDMatcher (IoU >= 0.5, plus each box's best prior) and
    BoxCoder with weights (10, 10, 5, 5), the rule SsdTargetAssigner and SsdBoxCoder implement."""
    corners = torch.cat([priors[:, :2] - priors[:, 2:] / 2, priors[:, :2] + priors[:, 2:] / 2], 1)
    match = SSDMatcher(POSITIVE_IOU)(box_iou(boxes, corners))
    pos = match >= 0
    cls = torch.zeros(priors.shape[0], dtype=torch.long)
    off = torch.zeros(priors.shape[0], 4)
    cls[pos] = labels[match[pos]]
    off[pos] = CODER.encode_single(boxes[match[pos]], corners[pos])
    return cls, off


def multibox_loss(out, cls_t, off_t):
    """Smooth-L1 on the positives' offsets + cross-entropy on the positives and the 3 hardest negatives per positive
    of each image, summed and divided by the number of positives."""
    batch, priors = cls_t.shape
    ce = F.cross_entropy(out[..., 4:].reshape(batch * priors, -1), cls_t.reshape(-1), reduction="none").view(batch, priors)
    pos = cls_t > 0
    num_pos = pos.sum(1, keepdim=True)
    with torch.no_grad():
        negative_ce = ce.detach().masked_fill(pos, -math.inf)
        rank = negative_ce.sort(1, descending=True)[1].sort(1)[1]
        keep = pos | (rank < NEGATIVES_PER_POSITIVE * num_pos)
    class_loss = (ce * keep).sum()
    location_loss = F.smooth_l1_loss(out[..., :4][pos], off_t[pos], reduction="sum", beta=1.0)
    return (class_loss + location_loss) / max(1, int(num_pos.sum()))


model = SsdNet(args.classes, args.width, args.depth)
model.train()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
priors = default_boxes(args.input, [args.input // 8, args.input // 16, args.input // 32])
targets = [assign(b, l, priors) for b, l in synthetic_boxes(args.batch, args.boxes, args.input, args.classes)]
cls_t = torch.stack([c for c, _ in targets])
off_t = torch.stack([o for _, o in targets])
x = torch.randn(args.batch, 3, args.input, args.input)
print(f"params={sum(p.numel() for p in model.parameters())}", flush=True)
print(f"priors={priors.shape[0]}", flush=True)
print(f"positives={int((cls_t > 0).sum())}", flush=True)


def step():
    opt.zero_grad()
    loss = multibox_loss(model(x), cls_t, off_t)
    loss.backward()
    opt.step()


peer_timing.report_steps_per_s(step, warmup=args.warmup, repeats=args.repeats, steps=args.steps)
