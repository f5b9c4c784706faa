/**
 * The functions that the `nn` WASM module (assembly/nn/) exports. Pointers are byte offsets
 * into its linear memory; all tensors are float32, row-major (NHWC for images).
 */
export interface NnExports {
  heapBase(): number;

  // ---- pooling, softmax, top-k, elementwise, reduce (assembly/nn/pool.ts, softmax.ts, topk.ts,
  //      elementwise.ts, reduce.ts) ----
  // Pool geometry: (batch, inH, inW, channels, outH, outW, filterH, filterW, strideH,
  // strideW, padTop, padLeft), all in elements; x/dx are [batch,inH,inW,C], y/dy [batch,outH,outW,C].
  maxPool(x: number, y: number, batch: number, inH: number, inW: number, ch: number, outH: number, outW: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  avgPool(x: number, y: number, batch: number, inH: number, inW: number, ch: number, outH: number, outW: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  maxPoolGrad(x: number, dy: number, dx: number, batch: number, inH: number, inW: number, ch: number,
    outH: number, outW: number, fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  avgPoolGrad(dy: number, dx: number, batch: number, inH: number, inW: number, ch: number, outH: number,
    outW: number, fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  /** Row-wise softmax of x [rows, n] into y. */
  softmax(x: number, y: number, rows: number, n: number): void;
  /** Sorted top-k of each row of x [rows, n]: vals [rows, k] f32, idx [rows, k] i32; scratch 2·n i32. */
  topK(x: number, vals: number, idx: number, rows: number, n: number, k: number, scratch: number): void;
  /** y[i] = full[i] OP per[i % p] (op: 0 add, 1 sub, 2 mul, 3 div, 4 per−full, 5 per/full); p divides n. */
  binary(op: number, full: number, per: number, y: number, n: number, p: number): void;
  /** Broadcast y[n0,n1,n2,n3] = a[i·sa] OP b[i·sb] (element strides, 0 along broadcast dims). */
  binaryStrided(op: number, a: number, b: number, y: number, n0: number, n1: number, n2: number, n3: number,
    sa0: number, sa1: number, sa2: number, sa3: number, sb0: number, sb1: number, sb2: number, sb3: number): void;
  /** y[i] = f(x[i]) (op: 0 relu, 1 step with alpha, 2 sqrt, 3 square). */
  unary(op: number, x: number, y: number, n: number, alpha: number): void;
  /** y[o, i] = Σ_r x[o, r, i] / divisor for x [outer, red, inner] (f64 accumulation). */
  reduceSum(x: number, y: number, outer: number, red: number, inner: number, divisor: number): void;
  /** Columns 0 … cols−1 of reduceSum's y (rows of x and y `ld` floats apart): a column block of reduceSum, same bits. */
  reduceSumColumns(x: number, y: number, outer: number, red: number, cols: number, ld: number, divisor: number): void;
  /**
   * One Adam step on p, m, v (n floats) with gradient g, in tfjs's float32 operations:
   * m = m·b1 + g·c1, v = v·b2 + g²·c2 (in place), out = ((m/omb1) / (√(v/omb2) + eps))·nlr + p
   * (out may be p).
   */
  adamUpdate(p: number, g: number, m: number, v: number, out: number, n: number, b1: number, b2: number, c1: number, c2: number,
    omb1: number, omb2: number, eps: number, nlr: number): void;
  // Training batch norm over x [rows, C] (assembly/nn/batch_norm.ts), run per chunk of rows
  // (src/kernels/batch_norm.ts); part: C (2C for bnGradSums) f64 partial sums of the chunk;
  // flags: 1 residual, 2 ReLU.
  /** part = Σ_rows x (centred 0) or Σ_rows (x − mean)² (centred 1). */
  bnSums(x: number, mean: number, part: number, rows: number, C: number, centred: number): void;
  /** y = (x − mean)·scale + beta [+ r] [ReLU]. */
  bnApply(x: number, r: number, y: number, mean: number, scale: number, beta: number, rows: number, C: number, flags: number): void;
  /** part = [Σ g, Σ g·(x − mean)] with g = dy [masked by y > 0]. */
  bnGradSums(dy: number, x: number, y: number, mean: number, part: number, rows: number, C: number, flags: number): void;
  /** dx = g·a + (x − mean)·b + e; g stored at gOut with the residual flag. */
  bnGradApply(dy: number, x: number, y: number, mean: number, a: number, b: number, e: number, dx: number, gOut: number,
    rows: number, C: number, flags: number): void;
  // GELU and LayerNorm of the ViT (assembly/nn/gelu.ts, layer_norm.ts; src/kernels/gelu.ts, layer_norm.ts).
  /** y = x·Φ(x) (exact erf form), n floats. */
  gelu(x: number, y: number, n: number): void;
  /** dx = dy·(Φ(x) + x·φ(x)), n floats. */
  geluGrad(x: number, dy: number, dx: number, n: number): void;
  /** LayerNorm of rows of x [rows, C]: y = x̂·gamma + beta; per row mean and rstd [rows]. */
  layerNorm(x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, rows: number, C: number, eps: number): void;
  /** Its gradient: dx [rows, C]; part [2C] f32 = the rows' column sums [Σ dy·x̂, Σ dy]. */
  layerNormGrad(dy: number, x: number, mean: number, rstd: number, gamma: number, dx: number, part: number, rows: number, C: number): void;
  /** Attention core of `count` batches (assembly/nn/attention.ts): p = softmax(scale·q·kᵀ), o = p·v; pb, ind: GEMM scratch. */
  attentionForward(q: number, k: number, v: number, o: number, p: number, count: number, tq: number, tk: number, dh: number,
    scale: number, pb: number, ind: number): void;
  /** Its gradient: dq, dk, dv from dout and p; ds: tq·tk floats of scratch. */
  attentionBackward(dout: number, q: number, k: number, v: number, p: number, dq: number, dk: number, dv: number, count: number,
    tq: number, tk: number, dh: number, scale: number, pb: number, ind: number, ds: number): void;
  /** dst (j, i) = src (i, j) for src rows×cols, ldd floats between dst rows (assembly/nn/matrix_transpose.ts, 4×4 SIMD blocks). */
  matrixTranspose(src: number, rows: number, cols: number, dst: number, ldd: number): void;
  /** Indirection [ceil(m/mr)][heads][mr] u32 of Σ_h A_h·B_h: row i of head h at a + h·headBytes + i·rowBytes (assembly/nn/heads_rows.ts). */
  headsRowPointers(a: number, m: number, rowBytes: number, heads: number, headBytes: number, mr: number, ind: number): void;
  // ---- end pooling, softmax, top-k, elementwise, reduce ----
  // ---- GEMM and convolution (assembly/nn/gemm.ts, conv.ts) ----
  // Pointers are byte addresses; sizes and strides are in elements (floats) unless noted.
  /** Packs B (k×n, element (r,j) at src + 4(r·rs + j·cs)) into [ceil(n/16)][k][16] at dst. */
  gemmPackB(src: number, k: number, n: number, rs: number, cs: number, dst: number): void;
  /** gemmPackB into rows row0…row0+k−1 of a packed B with totalK rows. */
  gemmPackBRows(src: number, k: number, n: number, rs: number, cs: number, dst: number, totalK: number, row0: number): void;
  /** Row pointers of a strided A (row i at a + 4·i·rsA) for gemmIndirect: ceil(m/2)·2 u32 at ind. */
  gemmRowPointers(a: number, m: number, rsA: number, ind: number): void;
  /**
   * C (m×n, ldc) = (accumulate ? C : 0) + A·B; A through ind ([ceil(m/2)][taps][2] u32), ks bytes per
   * step; taps where both rows of a tile point at `zero` (a zero vector; 0 = none) are skipped.
   */
  gemmIndirect(m: number, n: number, taps: number, kt: number, ind: number, ks: number, bp: number,
    c: number, ldc: number, accumulate: number, zero: number): void;
  /** C = (accumulate ? C : 0) + A·B with A(i,r) at a + 4(i·rsA + r·csA); ind: ceil(m/2)·2 u32 scratch. */
  gemm(m: number, n: number, k: number, a: number, rsA: number, csA: number, bp: number, c: number,
    ldc: number, accumulate: number, ind: number): void;
  /** C += bias (n floats, skipped if bias = 0); act 0 linear, 1 relu, 2 relu6, 3 leaky relu(alpha). */
  gemmBiasActivation(c: number, m: number, n: number, ldc: number, bias: number, act: number, alpha: number): void;
  /** Indirection table [ceil(M/2)][fh·fw][2] u32 for an NHWC conv; `zero` points at ci zero floats. */
  convIndirection(ind: number, zero: number, x: number, n: number, h: number, w: number, ci: number,
    fh: number, fw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number): void;
  /** Indirection table [ceil(K/2)][n·oh][2] u32 of the filter gradient's patchesᵀ (no padding; steps sw·ci floats). */
  convFilterGradIndirection(ind: number, x: number, n: number, h: number, w: number, ci: number, fh: number, fw: number,
    sh: number, oh: number): void;
  /** Patch rows m0…m0+count−1 of x into out (count × fh·fw·ci). */
  convIm2col(x: number, n: number, h: number, w: number, ci: number, fh: number, fw: number, sh: number,
    sw: number, pt: number, pl: number, oh: number, ow: number, m0: number, count: number, out: number): void;
  /** Adjoint of convIm2col: adds patch rows m0…m0+count−1 into dx [n][h][w][ci]. */
  convCol2imAdd(cols: number, n: number, h: number, w: number, ci: number, fh: number, fw: number, sh: number,
    sw: number, pt: number, pl: number, oh: number, ow: number, m0: number, count: number, dx: number): void;
  /** Transpose of src (rows×cols) into dst with ldd floats between its rows (ldd = rows: cols×rows). */
  gemmTranspose(src: number, rows: number, cols: number, dst: number, ldd: number): void;
  /** Patch rows m0…m0+count−1 at rows 0…count−1 of packed-B layout [ceil(K/16)][panelRows][16]. */
  convIm2colPacked(x: number, n: number, h: number, w: number, ci: number, fh: number, fw: number, sh: number,
    sw: number, pt: number, pl: number, oh: number, ow: number, m0: number, count: number, dst: number, panelRows: number): void;
  /** Patch rows m0…m0+count−1 transposed: dst [K][count]; rows: 4·K floats scratch. */
  convIm2colTransposed(x: number, n: number, h: number, w: number, ci: number, fh: number, fw: number, sh: number,
    sw: number, pt: number, pl: number, oh: number, ow: number, m0: number, count: number, rows: number, dst: number): void;
  /** dst [n][hp][wp][ci] = src [n][h][w][ci] shifted by (pt, pl) rows/columns, zero elsewhere. */
  convPadNHWC(src: number, n: number, h: number, w: number, ci: number, pt: number, pl: number, hp: number,
    wp: number, dst: number): void;
  /** dst [n][cp][hp][wp] = NHWC src [n][h][w][ci] channel-planar, shifted by (pt, pl), zero elsewhere. */
  convPlanarPad(src: number, n: number, h: number, w: number, ci: number, pt: number, pl: number, cp: number,
    hp: number, wp: number, dst: number): void;
  /** Stride-1 conv of planar xp [n][ci][hp][wp] (zero outside rows r0…r1−1) with weights [ceil(co/6)][fh][ci][fw][6] into NHWC out [n][oh][ow][co], + bias [co] (0: none), ReLU if relu ≠ 0; `tile`: DIRECT_TILE_BYTES of scratch. */
  convDirectForward(xp: number, n: number, ci: number, hp: number, wp: number, fh: number, fw: number, oh: number,
    ow: number, wpk: number, co: number, out: number, r0: number, r1: number, tile: number, bias: number, relu: number): void;
  /** Stride-1 filter gradient dW [fh][fw][ci][co] from planar xp [n][ci][hp][wp] and planar dyp [n][cop][oh][owp]. */
  convDirectFilterGrad(xp: number, dyp: number, n: number, ci: number, hp: number, wp: number, fh: number, fw: number,
    oh: number, owp: number, co: number, cop: number, dw: number): void;
  /** Input gradient by row scatter: dxp [n][hq][wq][ci] (dx pixel (iy, ix) at (iy + pt, ix + pl)) from NHWC dy and V [fh][ceil(fw·ci/8)][co][8]; `scratch`: SCATTER_SCRATCH_BYTES. */
  convScatterInputGrad(dy: number, n: number, oh: number, ow: number, co: number, vk: number, fh: number, fw: number,
    ci: number, sh: number, sw: number, dxp: number, hq: number, wq: number, scratch: number): void;
  /** dst [n][h][w][ci] = rows pt … pt + h − 1, columns pl … pl + w − 1 of src [n][hq][wq][ci]. */
  convScatterCrop(src: number, n: number, hq: number, wq: number, ci: number, pt: number, pl: number, h: number,
    w: number, dst: number): void;
  // ---- Winograd F(2x2, 3x3) (assembly/nn/conv_winograd.ts; src/kernels/conv/winograd.ts) ----
  /** 16 packed U[ξ] = G g Gᵀ (packed size + 64 bytes apart) of w [3][3][ci][co] rows r0…r0+rows−1 of ci (rotated 1: 180°, ci and co swapped) at dst. */
  winogradFilter(w: number, ci: number, co: number, rotated: number, r0: number, rows: number, dst: number): void;
  /** V[16] (matrices ldm floats apart; row t − t0 of c floats) = Bᵀ d B of output tiles t0…t0+count−1 of x [n][h][w][c] (padding pt, pl; th × tw tiles per image). */
  winogradInput(x: number, h: number, w: number, c: number, pt: number, pl: number, th: number, tw: number, ldm: number,
    t0: number, count: number, dst: number): void;
  /** out [n][oh][ow][co] pixels of tiles t0…t0+count−1 = Aᵀ M A from M[16] (matrices ldm floats apart; row t − t0 of co floats). */
  winogradOutput(m: number, co: number, oh: number, ow: number, th: number, tw: number, ldm: number, t0: number,
    count: number, out: number): void;
  /** Ŷ = A dy Aᵀ of tiles t0…t0+count−1 of dy [n][oh][ow][co] as rows of 16 packed B matrices (ldk rows, packed size + 64 bytes apart). */
  winogradGradOut(dy: number, oh: number, ow: number, co: number, th: number, tw: number, ldk: number, t0: number,
    count: number, dst: number): void;
  /** dW [3][3][ci][co] rows r0…r0+rows−1 = Gᵀ Z G from Z[16] (ci × co, ldz floats apart). */
  winogradFilterGrad(z: number, ci: number, co: number, ldz: number, r0: number, rows: number, dw: number): void;
  // ---- Winograd F(4x4, 3x3) (assembly/nn/conv_winograd4.ts): the same layouts with 36 matrices, 4×4 output tiles ----
  /** 36 packed U[ξ] = G g Gᵀ of w [3][3][ci][co] rows r0…r0+rows−1 of ci (rotated 1: 180°, ci and co swapped) at dst. */
  winograd4Filter(w: number, ci: number, co: number, rotated: number, r0: number, rows: number, dst: number): void;
  /** V[36] = Bᵀ d B (6×6 input tiles) of output tiles t0…t0+count−1 of x [n][h][w][c]. */
  winograd4Input(x: number, h: number, w: number, c: number, pt: number, pl: number, th: number, tw: number, ldm: number,
    t0: number, count: number, dst: number): void;
  /** out pixels of tiles t0…t0+count−1 = Aᵀ M A from M[36] (overwritten). */
  winograd4Output(m: number, co: number, oh: number, ow: number, th: number, tw: number, ldm: number, t0: number,
    count: number, out: number): void;
  /** The whole conv (input transform, 36 GEMMs with packed U at u, output transform) on tiles t0…t0+count−1, in the block's scratch. */
  winograd4Tiles(x: number, h: number, w: number, c: number, pt: number, pl: number, th: number, tw: number, u: number,
    co: number, oh: number, ow: number, t0: number, count: number, scratch: number, out: number): void;
  /** Ŷ = A dy Aᵀ (6×6 from 4×4) of tiles t0…t0+count−1 of dy [n][oh][ow][co] as rows of 36 packed B matrices (ldk rows). */
  winograd4GradOut(dy: number, oh: number, ow: number, co: number, th: number, tw: number, ldk: number, t0: number,
    count: number, dst: number): void;
  /** dW [3][3][ci][co] rows r0…r0+rows−1 = Gᵀ Z G from Z[36] (ci × co, ldz floats apart). */
  winograd4FilterGrad(z: number, ci: number, co: number, ldz: number, r0: number, rows: number, dw: number): void;
  // ---- end GEMM and convolution ----
  [name: string]: unknown;
}

// ---- single-input-channel convolution (assembly/nn/conv_single.ts; src/kernels/conv_single_channel.ts) ----
/** The `nn` exports of the one-input-channel conv kernels (pointers are byte addresses, sizes in elements). */
export interface NnSingleChannelExports {
  /**
   * Stride-1 input gradient dx [n][h][w] (one channel, overwritten) from NHWC dy [n][oh][ow][co] and
   * the 180°-rotated filter wr [fh][co][fw]; dy pixel (oy, ox) sits at scratch row oy+ty, column ox+tx.
   * scratch: hp·co·wp floats, hp ≥ ceil(h/3)·3 + fh − 1, wp ≥ ceil(w/8)·8 + fw − 1.
   */
  convSingleInputGrad(dy: number, n: number, oh: number, ow: number, co: number, wr: number, fh: number, fw: number,
    ty: number, tx: number, h: number, w: number, dx: number, scratch: number, hp: number, wp: number): void;
}
// ---- end single-input-channel convolution ----
