#!/usr/bin/python3
"""PyTorch CPU peer of bench/infer.mjs: inference of a plain LeNet-5 or CIFAR ResNet-18.

The networks are bench/lib/plain-nets.mjs's, in NCHW (PyTorch's native layout), with seeded random
weights and random batch-norm statistics, in eval mode under torch.inference_mode():
  lenet5    1x32x32: conv5x5 1→6 ReLU, maxpool2, conv5x5 6→16 ReLU, maxpool2, flatten (400),
            linear 120 ReLU, 84 ReLU, 10 (416 520 multiply-adds per image)
  resnet18  3x32x32, plain CIFAR ResNet-18: 3x3 stem 64 + BN + ReLU, BasicBlocks 64, 128, 256, 512
            at strides 1, 2, 2, 2 (bench/peers/torch/moe_step.py's blocks), global average pool,
            linear 512→10 (555 422 720 multiply-adds, 1.111 GFLOP per image)
The multiply-adds are counted by forward hooks on every Conv2d and Linear (printed as
macsPerImage, which the bench checks against its own count).

--export PATH writes the network as ONNX (torch.onnx.export, opset 13, fixed batch) to PATH, a
random input batch to PATH.input.bin and PyTorch's output for it to PATH.output.bin (float32,
little-endian), for the ONNX Runtime peers to check that they compute the same before timing.

Threads: torch.set_num_threads(--threads), one inter-op thread; OPENBLAS_NUM_THREADS is set to
--threads before torch loads (this build does not pass set_num_threads on to OpenBLAS) unless the
caller set it. The output records the BLAS torch mapped (see moe_step.py).

Usage: /usr/bin/python3 bench/peers/torch/infer.py --model resnet18 --batch 32 --threads 1
         [--warmup 2] [--iters 10] [--seed 1] [--export PATH]
Prints one JSON object on stdout: each timed forward's ms, their median, the multiply-adds per
image, the BLAS.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from moe_step import threads_arg  # noqa: E402 (sets nothing; torch is not loaded yet)

os.environ.setdefault('OPENBLAS_NUM_THREADS', str(threads_arg(sys.argv[1:])))

import torch  # noqa: E402 (after OPENBLAS_NUM_THREADS: OpenBLAS reads it when it loads)
import torch.nn as nn  # noqa: E402
from moe_step import blas_report, lenet5_backbone, resnet_stage  # noqa: E402

INPUT_SHAPES = {'lenet5': (1, 32, 32), 'resnet18': (3, 32, 32)}


def build(model, classes=10):
    """The plain network (eval mode), with random batch-norm statistics and affine parameters."""
    if model == 'lenet5':
        net = nn.Sequential(lenet5_backbone(1), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes))
    elif model == 'resnet18':
        net = nn.Sequential(
            nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            resnet_stage(64, 64, 1), resnet_stage(64, 128, 2), resnet_stage(128, 256, 2), resnet_stage(256, 512, 2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes),
        )
    else:
        raise SystemExit(f"infer.py: unknown --model '{model}' (known: lenet5, resnet18)")
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return net.eval()


def macs_per_image(net, shape):
    """Multiply-adds of every Conv2d and Linear for one image, counted by forward hooks."""
    total = [0]

    def conv_hook(m, inputs, out):
        total[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inputs, out):
        total[0] += out.numel() * m.in_features

    hooks = [m.register_forward_hook(conv_hook if isinstance(m, nn.Conv2d) else linear_hook)
             for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.inference_mode():
        net(torch.zeros(1, *shape))
    for h in hooks:
        h.remove()
    return total[0]


def export(net, x, path):
    """ONNX at x's batch (opset 13), x and PyTorch's output beside it; their shapes."""
    torch.onnx.export(net, x, path, opset_version=13, input_names=['input'], output_names=['output'], do_constant_folding=True)
    with torch.inference_mode():
        y = net(x)
    x.numpy().astype('<f4').tofile(path + '.input.bin')
    y.numpy().astype('<f4').tofile(path + '.output.bin')
    return {'onnx': path, 'inputShape': list(x.shape), 'outputShape': list(y.shape), 'opset': 13}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--model', default='resnet18')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--export', metavar='PATH', help='write the ONNX model and a reference input/output, no timing')
    a = p.parse_args()
    torch.set_num_interop_threads(1)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    net = build(a.model)
    shape = INPUT_SHAPES[a.model]
    x = torch.rand(a.batch, *shape)
    base = {'peer': 'pytorch-cpu', 'torch': torch.__version__, 'model': a.model, 'batch': a.batch,
            'threads': torch.get_num_threads(), 'macsPerImage': macs_per_image(net, shape)}
    if a.export:
        print(json.dumps({**base, **export(net, x, a.export)}))
        return
    times = []
    with torch.inference_mode():
        for i in range(a.warmup + a.iters):
            t0 = time.perf_counter()
            y = net(x)
            dt = (time.perf_counter() - t0) * 1e3
            if i >= a.warmup:
                times.append(dt)
    assert y.shape == (a.batch, 10)
    print(json.dumps({**base, 'warmup': a.warmup, 'iters': a.iters, 'msMedian': statistics.median(times), 'timesMs': times, **blas_report()}))


if __name__ == '__main__':
    main()
