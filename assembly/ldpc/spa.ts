/**
 * Flooding sum-product (belief propagation) in float32, one frame at a time: the reference
 * decoder. Check update by the tanh rule, R_e = 2·atanh(∏_{e'≠e} tanh(Q_e'/2)), with the
 * extrinsic product formed by forward/backward partial products (no division) and clamped to
 * |p| ≤ 1 − 2^-23 so that |R_e| ≤ 2·atanh(1 − 2^-23) ≈ 16.6. Variable update
 * L_v = llr_v + Σ R_e, Q_e = L_v − R_e.
 */

const PMAX: f32 = 1.0 - 1.1920929e-7;

function syndromeOk(Lf: usize, m: i32, rowPtr: usize, colIdx: usize): bool {
  let e = load<i32>(rowPtr);
  for (let r = 0; r < m; r++) {
    const e1 = load<i32>(rowPtr + ((<usize>(r + 1)) << 2));
    let x: u32 = 0;
    for (; e < e1; e++) {
      x ^= load<u32>(Lf + (<usize>load<i32>(colIdx + (<usize>e << 2)) << 2));
    }
    if (x >> 31) return false;
  }
  return true;
}

/**
 * Decodes `frames` frames of n float32 LLRs (frame-major) with flooding sum-product.
 * Work memory: Lf (n f32), R (E f32), T (maxRowDegree f32), F (maxRowDegree f32).
 * Outputs as for minsumDecode. Hard decision: bit 1 where L < 0 (sign bit of the float).
 */
export function spaDecode(
  llr: usize, frames: i32, n: i32, m: i32, rowPtr: usize, colIdx: usize,
  maxIter: i32, earlyStop: i32,
  Lf: usize, R: usize, T: usize, F: usize, outBits: usize, outIter: usize, outConv: usize,
): void {
  const E = load<i32>(rowPtr + (<usize>m << 2));
  for (let f = 0; f < frames; f++) {
    const src = llr + ((<usize>f * <usize>n) << 2);
    memory.copy(Lf, src, <usize>n << 2);
    memory.fill(R, 0, <usize>E << 2);
    let it = 0;
    let ok = false;
    while (it < maxIter) {
      it++;
      // Check nodes: new R from Q = L − R(old).
      let e0 = load<i32>(rowPtr);
      for (let r = 0; r < m; r++) {
        const e1 = load<i32>(rowPtr + ((<usize>(r + 1)) << 2));
        const d = e1 - e0;
        let fwd: f32 = 1.0;
        for (let k = 0; k < d; k++) {
          const e = <usize>(e0 + k);
          const c = <usize>load<i32>(colIdx + (e << 2));
          const q = load<f32>(Lf + (c << 2)) - load<f32>(R + (e << 2));
          const t = Mathf.tanh(0.5 * q);
          store<f32>(T + (<usize>k << 2), t);
          store<f32>(F + (<usize>k << 2), fwd);
          fwd *= t;
        }
        let bwd: f32 = 1.0;
        for (let k = d - 1; k >= 0; k--) {
          let p = load<f32>(F + (<usize>k << 2)) * bwd;
          p = max<f32>(-PMAX, min<f32>(PMAX, p));
          store<f32>(R + (<usize>(e0 + k) << 2), Mathf.log((1.0 + p) / (1.0 - p)));
          bwd *= load<f32>(T + (<usize>k << 2));
        }
        e0 = e1;
      }
      // Variable nodes: L = llr + Σ R.
      memory.copy(Lf, src, <usize>n << 2);
      for (let e = 0; e < E; e++) {
        const a = Lf + (<usize>load<i32>(colIdx + (<usize>e << 2)) << 2);
        store<f32>(a, load<f32>(a) + load<f32>(R + (<usize>e << 2)));
      }
      if (earlyStop) {
        ok = syndromeOk(Lf, m, rowPtr, colIdx);
        if (ok) break;
      }
    }
    if (!earlyStop) ok = syndromeOk(Lf, m, rowPtr, colIdx);
    const out = outBits + <usize>f * <usize>n;
    for (let v = 0; v < n; v++) {
      store<u8>(out + <usize>v, <u8>(load<u32>(Lf + (<usize>v << 2)) >> 31));
    }
    store<i32>(outIter + (<usize>f << 2), it);
    store<u8>(outConv + <usize>f, ok ? 1 : 0);
  }
}
