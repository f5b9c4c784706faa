// The plain (non-MoE) networks of bench/infer.mjs, built from tfjs-core ops for inference on the
// current backend (wmoe in the bench), with seeded random weights: the same architectures and FLOP
// counts as bench/peers/torch/infer.py's, NHWC instead of NCHW.
//   lenet5    32x32x1: conv 5x5 1→6 + ReLU, max-pool 2, conv 5x5 6→16 + ReLU, max-pool 2, flatten
//             (400), dense 120 + ReLU, 84 + ReLU, 10: 416 520 multiply-adds per image.
//   resnet18  32x32x3, the plain CIFAR ResNet-18: 3x3 stem conv 64, BasicBlocks 64, 128, 256, 512
//             (two each, strides 1, 2, 2, 2; 1x1 conv shortcuts where the shape changes), global
//             average pool, dense 10: 555 422 720 multiply-adds (1.111 GFLOP) per image.
// Inference mode with batch norm folded into each conv (a bias after the conv, as any inference
// engine does: ONNX Runtime folds it when it optimises the graph): each conv is one FusedConv2D
// with bias (and ReLU where the network has one); a block ends relu(conv2 + shortcut).
// FLOPs count the multiply-adds of convs and dense layers, 2 FLOP each (not bias, ReLU, pooling).
// No import of the package: pass its `tf` and `SeededRandom`.

/** The networks: input shape [H, W, C], classes, multiply-adds per image (asserted against the layers). */
export const PLAIN_NETS = {
  lenet5: { inputShape: [32, 32, 1], classes: 10, macsPerImage: 416_520, label: 'LeNet-5' },
  resnet18: { inputShape: [32, 32, 3], classes: 10, macsPerImage: 555_422_720, label: 'ResNet-18' },
};

/** FLOP per image of `model` (2 per multiply-add). */
export const flopsPerImage = (model) => 2 * PLAIN_NETS[model].macsPerImage;

/**
 * Builds `model` on `tf`'s current backend with weights drawn from `rng` (a SeededRandom):
 * `{ forward(x) → logits [batch, classes], macsPerImage (counted from the layers), dispose() }`.
 * x is [batch, H, W, C]. Throws when the counted multiply-adds differ from PLAIN_NETS'.
 */
export function buildPlainNet(tf, model, rng) {
  const spec = PLAIN_NETS[model];
  if (!spec) throw new Error(`plain-nets: unknown model '${model}' (known: ${Object.keys(PLAIN_NETS).join(', ')})`);
  const tensors = [];
  let macs = 0;
  const random = (shape, scale) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.uniform(-scale, scale);
    const t = tf.tensor(v, shape);
    tensors.push(t);
    return t;
  };
  /** A conv (k x k, cin → cout, stride) with its folded-BN bias, on a side-`side` input: its output side. */
  const conv = (k, cin, cout, stride, pad, side, relu) => {
    const filter = random([k, k, cin, cout], Math.sqrt(6 / (k * k * cin)));
    const bias = random([cout], 0.1);
    const out = pad === 'valid' ? Math.floor((side - k) / stride) + 1 : Math.floor((side + 2 * pad - k) / stride) + 1;
    macs += out * out * k * k * cin * cout;
    const apply = (x) => tf.fused.conv2d({ x, filter, strides: stride, pad, bias, activation: relu ? 'relu' : 'linear' });
    return { apply, side: out };
  };
  const dense = (din, dout, relu) => {
    const w = random([din, dout], Math.sqrt(6 / din));
    const b = random([dout], 0.1);
    macs += din * dout;
    return (x) => tf.fused.matMul({ a: x, b: w, bias: b, activation: relu ? 'relu' : 'linear' });
  };
  const forward = model === 'lenet5' ? lenet5(tf, spec, conv, dense) : resnet18(tf, spec, conv, dense);
  if (macs !== spec.macsPerImage) throw new Error(`plain-nets: ${model} counts ${macs} multiply-adds per image, expected ${spec.macsPerImage}`);
  return { forward, macsPerImage: macs, dispose: () => tf.dispose(tensors) };
}

/** LeNet-5's forward from conv/dense builders. */
function lenet5(tf, spec, conv, dense) {
  const [side, , c] = spec.inputShape;
  const c1 = conv(5, c, 6, 1, 'valid', side, true);
  const c2 = conv(5, 6, 16, 1, 'valid', c1.side / 2, true);
  const flat = (c2.side / 2) ** 2 * 16;
  const layers = [dense(flat, 120, true), dense(120, 84, true), dense(84, spec.classes, false)];
  return (x) => {
    const p1 = tf.maxPool(c1.apply(x), 2, 2, 'valid');
    const p2 = tf.maxPool(c2.apply(p1), 2, 2, 'valid');
    return layers.reduce((h, f) => f(h), tf.reshape(p2, [x.shape[0], flat]));
  };
}

/** The plain CIFAR ResNet-18's forward from conv/dense builders. */
function resnet18(tf, spec, conv, dense) {
  const [side0, , c] = spec.inputShape;
  const stem = conv(3, c, 64, 1, 1, side0, true);
  let side = stem.side;
  let cin = 64;
  const blocks = [];
  for (const [cout, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
    for (const s of [stride, 1]) {
      const conv1 = conv(3, cin, cout, s, 1, side, true);
      const conv2 = conv(3, cout, cout, 1, 1, conv1.side, false);
      const shortcut = s !== 1 || cin !== cout ? conv(1, cin, cout, s, 'valid', side, false) : null;
      blocks.push((x) => tf.relu(tf.add(conv2.apply(conv1.apply(x)), shortcut ? shortcut.apply(x) : x)));
      side = conv1.side;
      cin = cout;
    }
  }
  const head = dense(512, spec.classes, false);
  return (x) => head(tf.mean(blocks.reduce((h, b) => b(h), stem.apply(x)), [1, 2]));
}
