#!/usr/bin/python3
"""PyTorch CPU peer of the package's stage-1 MoE training step (bench/train-step.mjs spawns it).

One step = the package's `stage1Step` (src/train/stage1.ts) over a perfect link:
  features = backbone(images)                                    [B, d], sent to every expert
  logits   = features·W + b + N(0,1)·softplus(features·W_noise)  naive noisy gate [B, K]
  mask     = top-k of logits (no gradient)                       [B, K]
  weights  = softmax(logits restricted to the mask)              [B, K]
  probs    = Σ_k weights[:, k] · softmax(expert_k(features))     [B, classes]
  loss     = NLL(probs) + 1 · K·Σ f_i·P_i (Switch load balancing) + 0.3 · mean NLL of each expert alone
  Adam (lr 2e-3, eps 1e-7 as tfjs), all K experts run on all B samples (as the package does).

Models (--model), split as the package splits them (backbone | expert):
  lenet5    1x32x32: conv5x5 1→6 ReLU, maxpool2, conv5x5 6→16 ReLU, maxpool2, flatten (d = 400)
            | 400→120 ReLU →84 ReLU →classes (the K experts stacked, batched matmul, as the package)
  resnet18  3x32x32, CIFAR ResNet-18 (3x3 stem 64, no max-pool, BasicBlocks 64,128,256,512 at
            strides 1,2,2,2, BatchNorm): stem + stages 1–3 + 1x1 conv 256→32 + BN (8x8 map, d = 2048)
            | 1x1 conv 32→256 + BN + ReLU, stage 4, global average pool, linear 512→classes
  vit       3x32x32, patch 4 (64 tokens + CLS), width 192, 3 heads, MLP ratio 2, pre-norm
            LayerNorm, GELU (erf form): patch embedding + blocks 1–5 + linear 192→16 per token
            + LayerNorm (d = 65·16 = 1040) | linear 16→192, block 6 (only CLS queries: nothing else is
            read after it), final LayerNorm, linear head on CLS
Tensors are NCHW float32 (PyTorch's native layout). Inputs are random (timing does not depend on
the pixel values: every expert runs on every sample).

BLAS: linear layers and attention run on whatever BLAS torch loaded. Debian's python3-torch uses
the libblas.so.3 the alternatives system points to: the reference BLAS (netlib, ~15x slower in
matmuls) unless OpenBLAS is installed:  apt-get install python3-torch libopenblas0-pthread
This build does not pass torch.set_num_threads on to OpenBLAS, so OPENBLAS_NUM_THREADS is set to
--threads before torch loads (unless the caller set it). The output records the BLAS libraries
this process mapped (/proc/self/maps) and their kind: openblas, mkl, blis, reference or unknown.

Usage: /usr/bin/python3 bench/peers/torch/moe_step.py --model lenet5 --batch 64 --threads 1
         [--warmup 3] [--steps 20] [--experts 4] [--top-k 2] [--classes 10] [--seed 1]
       /usr/bin/python3 bench/peers/torch/moe_step.py --blas [--threads 1]   (BLAS report only)
Prints one JSON object on stdout: median ms per step, images/s, each step's ms, parameter count,
the BLAS.
"""
import argparse
import json
import os
import math
import statistics
import sys
import time


def threads_arg(argv):
    """The --threads value of argv (default 1), read before torch loads OpenBLAS."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--threads', type=int, default=1)
    return pre.parse_known_args(argv)[0].threads


os.environ.setdefault('OPENBLAS_NUM_THREADS', str(threads_arg(sys.argv[1:])))

import torch  # noqa: E402 (after OPENBLAS_NUM_THREADS: OpenBLAS reads it when it loads)
import torch.nn as nn
import torch.nn.functional as F


# ---- the models' two halves -------------------------------------------------------------------

def lenet5_backbone(channels):
    return nn.Sequential(
        nn.Conv2d(channels, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
    )


class StackedDenseExperts(nn.Module):
    """K dense heads d → hidden… → classes with kernels [K, in, out], run as one batched matmul."""

    def __init__(self, K, sizes):
        super().__init__()
        self.w = nn.ParameterList([nn.Parameter(torch.randn(K, a, b) * math.sqrt(2 / a)) for a, b in zip(sizes, sizes[1:])])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(K, 1, b)) for b in sizes[1:]])

    def forward(self, received):  # [K, B, d] → [K, B, classes]
        h = received
        for i, (w, b) in enumerate(zip(self.w, self.b)):
            h = torch.baddbmm(b, h, w)
            if i < len(self.w) - 1:
                h = F.relu(h)
        return h


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


def resnet_stage(cin, cout, stride):
    return nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1))


def resnet18_backbone(channels):
    return nn.Sequential(
        nn.Conv2d(channels, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        resnet_stage(64, 64, 1), resnet_stage(64, 128, 2), resnet_stage(128, 256, 2),
        nn.Conv2d(256, 32, 1, bias=False), nn.BatchNorm2d(32),  # bottleneck: 32x8x8 = 2048 values sent
        nn.Flatten(),
    )


def resnet18_expert(classes):
    return nn.Sequential(
        nn.Unflatten(1, (32, 8, 8)),
        nn.Conv2d(32, 256, 1, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
        resnet_stage(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes),
    )


class ViTBlock(nn.Module):
    """Pre-norm transformer block: x + MHA(LN(x)), then x + MLP(LN(x)) with GELU. With cls_only
    (an expert's last block: only the CLS token is read after it) only CLS queries, as the package."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, mlp_ratio * width), nn.GELU(), nn.Linear(mlp_ratio * width, width))

    def forward(self, x, cls_only=False):  # [B, T, width] → [B, T or 1, width]
        B, T, W = x.shape
        q, k, v = self.qkv(self.ln1(x)).reshape(B, T, 3, self.heads, W // self.heads).permute(2, 0, 3, 1, 4)
        if cls_only:
            x, q = x[:, :1], q[:, :, :1]
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(W // self.heads), -1)  # [B, heads, T or 1, T]
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, x.shape[1], W))
        return x + self.mlp(self.ln2(x))


class ViTBackbone(nn.Module):
    def __init__(self, channels, side, patch, width, heads, mlp_ratio, blocks, sent):
        super().__init__()
        tokens = (side // patch) ** 2 + 1
        self.embed = nn.Conv2d(channels, width, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, width))
        self.pos = nn.Parameter(torch.randn(1, tokens, width) * 0.02)
        self.blocks = nn.Sequential(*[ViTBlock(width, heads, mlp_ratio) for _ in range(blocks)])
        self.norm = nn.LayerNorm(width)
        self.bottleneck = nn.Linear(width, sent)

    def forward(self, x):  # [B, C, H, W] → [B, tokens·sent]
        t = self.embed(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(x.shape[0], -1, -1), t], 1) + self.pos
        return self.bottleneck(self.norm(self.blocks(t))).flatten(1)


class ViTExpert(nn.Module):
    def __init__(self, width, heads, mlp_ratio, sent, classes):
        super().__init__()
        self.sent = sent
        self.expand = nn.Linear(sent, width)
        self.block = ViTBlock(width, heads, mlp_ratio)
        self.ln = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)

    def forward(self, f):  # [B, tokens·sent] → [B, classes]
        t = self.block(self.expand(f.reshape(f.shape[0], -1, self.sent)), cls_only=True)
        return self.head(self.ln(t[:, 0]))


class ExpertList(nn.Module):
    """K separate experts; received [K, B, d] → logits [K, B, classes]."""

    def __init__(self, experts):
        super().__init__()
        self.experts = nn.ModuleList(experts)

    def forward(self, received):
        return torch.stack([e(r) for e, r in zip(self.experts, received)])


def build(model, K, classes):
    """(backbone, experts, input shape [C, H, W], d)."""
    if model == 'lenet5':
        return lenet5_backbone(1), StackedDenseExperts(K, [400, 120, 84, classes]), (1, 32, 32), 400
    if model == 'resnet18':
        return resnet18_backbone(3), ExpertList([resnet18_expert(classes) for _ in range(K)]), (3, 32, 32), 2048
    if model == 'vit':
        width, heads, ratio, sent = 192, 3, 2, 16
        backbone = ViTBackbone(3, 32, 4, width, heads, ratio, blocks=5, sent=sent)
        return backbone, ExpertList([ViTExpert(width, heads, ratio, sent, classes) for _ in range(K)]), (3, 32, 32), 65 * sent
    raise SystemExit(f"moe_step.py: unknown --model '{model}' (known: lenet5, resnet18, vit)")


# ---- the MoE step (src/moe/routing.ts, src/moe/gate.ts, src/train/stage1.ts) -----------------

class MoE(nn.Module):
    def __init__(self, model, K, top_k, classes):
        super().__init__()
        self.backbone, self.experts, self.input_shape, d = build(model, K, classes)
        self.K, self.top_k = K, top_k
        self.gate_w = nn.Parameter(torch.randn(d, K) * math.sqrt(2 / (d + K)))  # glorot
        self.gate_b = nn.Parameter(torch.zeros(K))
        self.gate_w_noise = nn.Parameter(torch.zeros(d, K))

    def loss(self, images, labels, expert_weight=0.3, balance_weight=1.0):
        features = self.backbone(images)
        noise = torch.randn(features.shape[0], self.K)
        logits = features @ self.gate_w + self.gate_b + noise * F.softplus(features @ self.gate_w_noise)
        with torch.no_grad():
            mask = torch.zeros_like(logits).scatter_(1, logits.topk(self.top_k, 1).indices, 1.0)
        weights = torch.softmax(logits + (mask - 1) * 1e9, 1)
        received = features.unsqueeze(0).expand(self.K, -1, -1)  # perfect link: every expert gets it all
        expert_probs = torch.softmax(self.experts(received), -1)  # [K, B, classes]
        probs = (expert_probs * weights.t().unsqueeze(2)).sum(0)
        f = mask.mean(0) / mask.mean(0).sum()
        balance = self.K * (f * torch.softmax(logits, 1).mean(0)).sum()
        K, B, C = expert_probs.shape
        solo = nll(expert_probs.reshape(K * B, C), labels.repeat(K))
        return nll(probs, labels) + balance_weight * balance + expert_weight * solo


def nll(probs, labels):
    return -torch.log(probs.gather(1, labels.unsqueeze(1)).squeeze(1) + 1e-7).mean()


def blas_libraries():
    """Real paths of the BLAS shared libraries this process mapped (Debian picks libblas.so.3 by
    update-alternatives; LD_LIBRARY_PATH can point to another one), sorted."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if '/' in line and any(k in line.lower() for k in ('blas', 'mkl', 'blis'))}
    except OSError:
        return []
    return sorted({os.path.realpath(p) for p in paths})


def blas_kind(paths, mkl_linked):
    """openblas, mkl, blis, reference (netlib libblas) or unknown: as bench/lib/verdict.mjs blasKind."""
    text = ' '.join(paths).lower()
    if 'openblas' in text:
        return 'openblas'
    if mkl_linked or 'mkl' in text:
        return 'mkl'
    if 'blis' in text:
        return 'blis'
    if 'libblas.so' in text:
        return 'reference'
    return 'unknown'


def blas_report():
    """The BLAS torch runs its matmuls on: libraries, kind, whether MKL is linked in, OPENBLAS_NUM_THREADS."""
    paths = blas_libraries()
    mkl = bool(torch.backends.mkl.is_available())
    return {'blas': paths, 'blasKind': blas_kind(paths, mkl), 'mklLinked': mkl,
            'openblasNumThreads': os.environ.get('OPENBLAS_NUM_THREADS')}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='lenet5')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--experts', type=int, default=4)
    p.add_argument('--top-k', type=int, default=2)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--blas', action='store_true', help='print the BLAS report and torch version only')
    a = p.parse_args()
    if a.blas:
        print(json.dumps({'torch': torch.__version__, **blas_report()}))
        return
    torch.set_num_interop_threads(1)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    model = MoE(a.model, a.experts, a.top_k, a.classes)
    model.train()  # batch norm on batch statistics, as the package's stage 1
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, eps=1e-7)
    images = torch.rand(a.batch, *model.input_shape)
    labels = torch.randint(0, a.classes, (a.batch,))

    times, losses = [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(images, labels)
        loss.backward()
        opt.step()
        value = loss.item()
        dt = (time.perf_counter() - t0) * 1e3
        if i >= a.warmup:
            times.append(dt)
        losses.append(value)
    ms = statistics.median(times)
    print(json.dumps({
        'peer': 'pytorch-cpu', 'torch': torch.__version__, 'model': a.model, 'batch': a.batch,
        'threads': torch.get_num_threads(), 'interopThreads': torch.get_num_interop_threads(),
        'experts': a.experts, 'topK': a.top_k, 'warmup': a.warmup, 'steps': a.steps,
        'msMedian': ms, 'imagesPerSec': a.batch / ms * 1e3, 'timesMs': times,
        'trainableParams': sum(t.numel() for t in model.parameters()),
        **blas_report(), 'firstLoss': losses[0], 'lastLoss': losses[-1],
    }))


if __name__ == '__main__':
    main()
