// 2-D max and average pooling over NHWC float32 tensors, and their gradients, with tfjs's
// semantics: windows are clipped to the image (padding cells are skipped, not zeros), average
// pooling divides by the number of in-image cells, its gradient by the full filter area (as
// tfjs-backend-cpu does), max pooling ignores NaN and routes each window's gradient to the
// first maximal cell in row-major window order. Channels are processed 4 at a time with SIMD.
//
// Geometry arguments (all in elements): batch, inH, inW, channels, outH, outW, filter fh×fw,
// strides sh×sw, padTop/padLeft (cells of padding before row/column 0).

const NEG_INF: f32 = -Infinity;

/**
 * True for non-overlapping 2×2 stride-2 windows that all lie inside the image (LeNet's and most
 * CNNs' pooling) on at least 4 channels: served by maxPool2x2 / maxPoolGrad2x2, which read each
 * window's four cells straight and cover a channel count that is not a multiple of 4 with one
 * overlapping last vector (channels ch−4 … ch−1) instead of scalar lanes.
 */
// @ts-ignore: decorator
@inline
function isPool2x2(
  ch: i32, inH: i32, inW: i32, outH: i32, outW: i32, fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): bool {
  return ch >= 4 && fh == 2 && fw == 2 && sh == 2 && sw == 2 && padTop == 0 && padLeft == 0 &&
    2 * outH <= inH && 2 * outW <= inW;
}

// maxPool of 2×2 stride-2 windows (isPool2x2): the same pmax order as maxPool, so the same bits.
function maxPool2x2(x: usize, y: usize, batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32): void {
  const rowBytes = <usize>(inW * ch) << 2;
  const pixBytes = <usize>ch << 2;
  const last = <usize>(ch - 4) << 2;
  const negInf = f32x4.splat(NEG_INF);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      let p = x + <usize>(b * inH + 2 * oy) * rowBytes;
      let yp = y + (<usize>((b * outH + oy) * outW) * pixBytes);
      for (let ox = 0; ox < outW; ox++, p += pixBytes << 1, yp += pixBytes) {
        for (let c: usize = 0; ; c += 16) {
          if (c > last) c = last;
          const q = p + c;
          const m = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(negInf, v128.load(q)), v128.load(q + pixBytes)),
            v128.load(q + rowBytes)), v128.load(q + rowBytes + pixBytes));
          v128.store(yp + c, m);
          if (c == last) break;
        }
      }
    }
  }
}

// maxPoolGrad of 2×2 stride-2 windows (isPool2x2). Every input cell lies in at most one window,
// so dx is written, not accumulated (0 + routed dy, as maxPoolGrad sums it: same bits, also for −0),
// and the overlapping last vector rewrites equal values; only cells outside every window are zeroed.
function maxPoolGrad2x2(x: usize, dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32): void {
  if (inH != 2 * outH || inW != 2 * outW) memory.fill(dx, 0, <usize>(batch * inH * inW * ch) << 2);
  const rowBytes = <usize>(inW * ch) << 2;
  const pixBytes = <usize>ch << 2;
  const last = <usize>(ch - 4) << 2;
  const negInf = f32x4.splat(NEG_INF);
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      let off = <usize>(b * inH + 2 * oy) * rowBytes;
      let dyp = dy + (<usize>((b * outH + oy) * outW) * pixBytes);
      for (let ox = 0; ox < outW; ox++, off += pixBytes << 1, dyp += pixBytes) {
        for (let c: usize = 0; ; c += 16) {
          if (c > last) c = last;
          const q = off + c;
          const v0 = v128.load(x + q), v1 = v128.load(x + q + pixBytes);
          const v2 = v128.load(x + q + rowBytes), v3 = v128.load(x + q + rowBytes + pixBytes);
          const m = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(negInf, v0), v1), v2), v3);
          const g = v128.load(dyp + c);
          let done = v128.not(f32x4.gt(m, negInf));
          const h0 = v128.andnot(f32x4.eq(v0, m), done); done = v128.or(done, h0);
          const h1 = v128.andnot(f32x4.eq(v1, m), done); done = v128.or(done, h1);
          const h2 = v128.andnot(f32x4.eq(v2, m), done); done = v128.or(done, h2);
          const h3 = v128.andnot(f32x4.eq(v3, m), done);
          v128.store(dx + q, f32x4.add(zero, v128.and(g, h0)));
          v128.store(dx + q + pixBytes, f32x4.add(zero, v128.and(g, h1)));
          v128.store(dx + q + rowBytes, f32x4.add(zero, v128.and(g, h2)));
          v128.store(dx + q + rowBytes + pixBytes, f32x4.add(zero, v128.and(g, h3)));
          if (c == last) break;
        }
      }
    }
  }
}

/** y[b,oy,ox,c] = max of x over the window of (oy, ox). x: [batch,inH,inW,C], y: [batch,outH,outW,C]. */
export function maxPool(
  x: usize, y: usize, batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  if (isPool2x2(ch, inH, inW, outH, outW, fh, fw, sh, sw, padTop, padLeft)) {
    maxPool2x2(x, y, batch, inH, inW, ch, outH, outW);
    return;
  }
  const ch4 = ch & ~3;
  const rowBytes = <usize>(inW * ch) << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + (<usize>(b * inH * inW * ch) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const r0 = oy * sh - padTop;
      const rMin = max(r0, 0), rMax = min(r0 + fh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const c0 = ox * sw - padLeft;
        const cMin = max(c0, 0), cMax = min(c0 + fw, inW);
        const yp = y + (<usize>(((b * outH + oy) * outW + ox) * ch) << 2);
        const win = xb + <usize>rMin * rowBytes + (<usize>(cMin * ch) << 2);
        let c = 0;
        for (; c < ch4; c += 4) {
          let acc = f32x4.splat(NEG_INF);
          let rp = win + (<usize>c << 2);
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += <usize>ch << 2) acc = f32x4.pmax(acc, v128.load(p));
          }
          v128.store(yp + (<usize>c << 2), acc);
        }
        for (; c < ch; c++) {
          let acc = NEG_INF;
          let rp = win + (<usize>c << 2);
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += <usize>ch << 2) {
              const v = load<f32>(p);
              if (v > acc) acc = v;
            }
          }
          store<f32>(yp + (<usize>c << 2), acc);
        }
      }
    }
  }
}

/** y[b,oy,ox,c] = mean of x over the in-image cells of the window. Shapes as {@link maxPool}. */
export function avgPool(
  x: usize, y: usize, batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  const ch4 = ch & ~3;
  const rowBytes = <usize>(inW * ch) << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + (<usize>(b * inH * inW * ch) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const r0 = oy * sh - padTop;
      const rMin = max(r0, 0), rMax = min(r0 + fh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const c0 = ox * sw - padLeft;
        const cMin = max(c0, 0), cMax = min(c0 + fw, inW);
        const count = <f32>((rMax - rMin) * (cMax - cMin));
        const yp = y + (<usize>(((b * outH + oy) * outW + ox) * ch) << 2);
        const win = xb + <usize>rMin * rowBytes + (<usize>(cMin * ch) << 2);
        let c = 0;
        for (; c < ch4; c += 4) {
          let acc = f32x4.splat(0);
          let rp = win + (<usize>c << 2);
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += <usize>ch << 2) acc = f32x4.add(acc, v128.load(p));
          }
          v128.store(yp + (<usize>c << 2), f32x4.div(acc, f32x4.splat(count)));
        }
        for (; c < ch; c++) {
          let acc: f32 = 0;
          let rp = win + (<usize>c << 2);
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += <usize>ch << 2) acc += load<f32>(p);
          }
          store<f32>(yp + (<usize>c << 2), acc / count);
        }
      }
    }
  }
}

/**
 * dx = gradient of {@link maxPool} given dy: each window's dy goes to its first maximal
 * cell (row-major window order); a window that is all -Infinity/NaN passes none.
 * x, dx: [batch,inH,inW,C]; dy: [batch,outH,outW,C]. Overwrites dx.
 */
export function maxPoolGrad(
  x: usize, dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  if (isPool2x2(ch, inH, inW, outH, outW, fh, fw, sh, sw, padTop, padLeft)) {
    maxPoolGrad2x2(x, dy, dx, batch, inH, inW, ch, outH, outW);
    return;
  }
  memory.fill(dx, 0, <usize>(batch * inH * inW * ch) << 2);
  const ch4 = ch & ~3;
  const rowBytes = <usize>(inW * ch) << 2;
  const pixBytes = <usize>ch << 2;
  const negInf = f32x4.splat(NEG_INF);
  for (let b = 0; b < batch; b++) {
    const off = <usize>(b * inH * inW * ch) << 2;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = oy * sh - padTop;
      const rMin = max(r0, 0), rMax = min(r0 + fh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const c0 = ox * sw - padLeft;
        const cMin = max(c0, 0), cMax = min(c0 + fw, inW);
        const dyp = dy + (<usize>(((b * outH + oy) * outW + ox) * ch) << 2);
        const win = off + <usize>rMin * rowBytes + (<usize>(cMin * ch) << 2);
        let c = 0;
        for (; c < ch4; c += 4) {
          const cb = win + (<usize>c << 2);
          let m = negInf;
          let rp = x + cb;
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += pixBytes) m = f32x4.pmax(m, v128.load(p));
          }
          const g = v128.load(dyp + (<usize>c << 2));
          // Lanes already routed (or with nothing to route) are marked done.
          let done = v128.not(f32x4.gt(m, negInf));
          rp = cb;
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += pixBytes) {
              const hit = v128.andnot(f32x4.eq(v128.load(x + p), m), done);
              if (v128.any_true(hit)) {
                v128.store(dx + p, f32x4.add(v128.load(dx + p), v128.and(g, hit)));
                done = v128.or(done, hit);
              }
            }
          }
        }
        for (; c < ch; c++) {
          const cb = win + (<usize>c << 2);
          let m = NEG_INF;
          let at: usize = -1;
          let rp = cb;
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += pixBytes) {
              const v = load<f32>(x + p);
              if (v > m) { m = v; at = p; }
            }
          }
          if (at != -1) store<f32>(dx + at, load<f32>(dx + at) + load<f32>(dyp + (<usize>c << 2)));
        }
      }
    }
  }
}

/**
 * dx = gradient of {@link avgPool} given dy, with tfjs's convention that every window
 * divides by the full filter area fh·fw (also where the window is clipped by padding).
 * dy: [batch,outH,outW,C]; dx: [batch,inH,inW,C]. Overwrites dx.
 */
export function avgPoolGrad(
  dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): void {
  memory.fill(dx, 0, <usize>(batch * inH * inW * ch) << 2);
  const scale: f32 = 1 / <f32>(fh * fw);
  const ch4 = ch & ~3;
  const rowBytes = <usize>(inW * ch) << 2;
  const pixBytes = <usize>ch << 2;
  for (let b = 0; b < batch; b++) {
    const dxb = dx + (<usize>(b * inH * inW * ch) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const r0 = oy * sh - padTop;
      const rMin = max(r0, 0), rMax = min(r0 + fh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const c0 = ox * sw - padLeft;
        const cMin = max(c0, 0), cMax = min(c0 + fw, inW);
        const dyp = dy + (<usize>(((b * outH + oy) * outW + ox) * ch) << 2);
        const win = dxb + <usize>rMin * rowBytes + (<usize>(cMin * ch) << 2);
        let c = 0;
        for (; c < ch4; c += 4) {
          const g = f32x4.mul(v128.load(dyp + (<usize>c << 2)), f32x4.splat(scale));
          let rp = win + (<usize>c << 2);
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += pixBytes) v128.store(p, f32x4.add(v128.load(p), g));
          }
        }
        for (; c < ch; c++) {
          const g = load<f32>(dyp + (<usize>c << 2)) * scale;
          let rp = win + (<usize>c << 2);
          for (let r = rMin; r < rMax; r++, rp += rowBytes) {
            let p = rp;
            for (let q = cMin; q < cMax; q++, p += pixBytes) store<f32>(p, load<f32>(p) + g);
          }
        }
      }
    }
  }
}
