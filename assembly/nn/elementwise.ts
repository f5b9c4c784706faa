// Elementwise float32 kernels: broadcasting binary arithmetic (flat for same shape, scalar
// and trailing-dims operands such as a bias; strided over up to 4 merged dims otherwise) and
// the unary ops of a training step (relu, its step-function gradient, sqrt, square).
// 4 lanes at a time with SIMD.

/** Binary op codes: y = full OP per, or (reversed) y = per OP full. */
const OP_ADD: i32 = 0;
const OP_SUB: i32 = 1;
const OP_MUL: i32 = 2;
const OP_DIV: i32 = 3;
const OP_RSUB: i32 = 4;
const OP_RDIV: i32 = 5;

// @inline + constant op: after inlining each call site keeps only its own arm.
@inline function binv(op: i32, a: v128, b: v128): v128 {
  if (op == OP_ADD) return f32x4.add(a, b);
  if (op == OP_SUB) return f32x4.sub(a, b);
  if (op == OP_MUL) return f32x4.mul(a, b);
  if (op == OP_DIV) return f32x4.div(a, b);
  if (op == OP_RSUB) return f32x4.sub(b, a);
  return f32x4.div(b, a);
}

@inline function bins(op: i32, a: f32, b: f32): f32 {
  if (op == OP_ADD) return a + b;
  if (op == OP_SUB) return a - b;
  if (op == OP_MUL) return a * b;
  if (op == OP_DIV) return a / b;
  if (op == OP_RSUB) return b - a;
  return b / a;
}

@inline function binaryLoop(op: i32, full: usize, per: usize, y: usize, n: i32, p: i32): void {
  if (p == 1) {
    const s = load<f32>(per);
    const sv = f32x4.splat(s);
    const n4 = n & ~3;
    let i = 0;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, binv(op, v128.load(full + o), sv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(y + o, bins(op, load<f32>(full + o), s));
    }
    return;
  }
  const p4 = p & ~3;
  const blockBytes = <usize>p << 2;
  const end = full + (<usize>n << 2);
  for (let f = full, out = y; f < end; f += blockBytes, out += blockBytes) {
    let j = 0;
    for (; j < p4; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binv(op, v128.load(f + o), v128.load(per + o)));
    }
    for (; j < p; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, bins(op, load<f32>(f + o), load<f32>(per + o)));
    }
  }
}

/**
 * y[i] = full[i] OP per[i % p] for i < n (OP by code, see OP_*; reversed codes swap the
 * operands). full, y: n float32 (may alias); per: p float32; p divides n (p = n: same
 * shapes, p = 1: scalar, else a trailing-dims operand such as a bias).
 */
export function binary(op: i32, full: usize, per: usize, y: usize, n: i32, p: i32): void {
  switch (op) {
    case OP_ADD: binaryLoop(OP_ADD, full, per, y, n, p); break;
    case OP_SUB: binaryLoop(OP_SUB, full, per, y, n, p); break;
    case OP_MUL: binaryLoop(OP_MUL, full, per, y, n, p); break;
    case OP_DIV: binaryLoop(OP_DIV, full, per, y, n, p); break;
    case OP_RSUB: binaryLoop(OP_RSUB, full, per, y, n, p); break;
    default: binaryLoop(OP_RDIV, full, per, y, n, p); break;
  }
}

/** The code of `per OP full` written as `full OP' per`. */
function reversed(op: i32): i32 {
  if (op == OP_SUB) return OP_RSUB;
  if (op == OP_DIV) return OP_RDIV;
  if (op == OP_RSUB) return OP_SUB;
  if (op == OP_RDIV) return OP_DIV;
  return op;
}

/**
 * General broadcast, up to 4 dims after the caller has merged dims: y[i0,i1,i2,i3] =
 * a[i·sa] OP b[i·sb], y: [n0,n1,n2,n3] contiguous; sa*, sb*: element strides of a and b
 * (0 along broadcast dims; the innermost stride is 0 or 1, and not 0 for both).
 */
export function binaryStrided(
  op: i32, a: usize, b: usize, y: usize, n0: i32, n1: i32, n2: i32, n3: i32,
  sa0: i32, sa1: i32, sa2: i32, sa3: i32, sb0: i32, sb1: i32, sb2: i32, sb3: i32,
): void {
  const rowBytes = <usize>n3 << 2;
  let out = y;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++, out += rowBytes) {
        const pa = a + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2) << 2);
        const pb = b + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2) << 2);
        if (sa3 == 0) binary(reversed(op), pb, pa, out, n3, 1);
        else binary(op, pa, pb, out, n3, sb3 == 0 ? 1 : n3);
      }
    }
  }
}

/** Unary op codes. */
const UN_RELU: i32 = 0;
const UN_STEP: i32 = 1;
const UN_SQRT: i32 = 2;
const UN_SQUARE: i32 = 3;

@inline function unv(op: i32, x: v128, alpha: v128): v128 {
  if (op == UN_RELU) return f32x4.max(x, f32x4.splat(0)); // NaN stays NaN, like Math.max
  if (op == UN_STEP) {
    // x > 0 → 1, NaN → NaN, else alpha.
    const r = v128.bitselect(f32x4.splat(1), alpha, f32x4.gt(x, f32x4.splat(0)));
    return v128.bitselect(x, r, f32x4.ne(x, x));
  }
  if (op == UN_SQRT) return f32x4.sqrt(x);
  return f32x4.mul(x, x);
}

@inline function unaryLoop(op: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  const av = f32x4.splat(alpha);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, unv(op, v128.load(x + o), av));
  }
  if (i < n) {
    // Tail: pad into a vector so the scalar semantics are exactly the SIMD ones.
    const t = memory.data(16);
    for (let j = 0; i + j < n; j++) store<f32>(t + (<usize>j << 2), load<f32>(x + (<usize>(i + j) << 2)));
    v128.store(t, unv(op, v128.load(t), av));
    for (let j = 0; i + j < n; j++) store<f32>(y + (<usize>(i + j) << 2), load<f32>(t + (<usize>j << 2)));
  }
}

/**
 * y[i] = f(x[i]) for i < n, f by code: UN_RELU max(x, 0); UN_STEP x > 0 ? 1 : alpha (NaN
 * kept); UN_SQRT √x; UN_SQUARE x². x, y: n float32 (may alias).
 */
export function unary(op: i32, x: usize, y: usize, n: i32, alpha: f32): void {
  switch (op) {
    case UN_RELU: unaryLoop(UN_RELU, x, y, n, alpha); break;
    case UN_STEP: unaryLoop(UN_STEP, x, y, n, alpha); break;
    case UN_SQRT: unaryLoop(UN_SQRT, x, y, n, alpha); break;
    default: unaryLoop(UN_SQUARE, x, y, n, alpha); break;
  }
}
