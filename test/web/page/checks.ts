// The computations the browser test runs in Node and in headless Chromium, written against the
// package's public API so that the same code runs on the sources (src/, in Node and in the page)
// and on the published bundles (dist/*.mjs, in a second page). Results are plain JSON; float
// arrays travel as their IEEE-754 bit patterns (u32) so that the test can demand bit identity.
// This file imports nothing from the package itself: the caller passes the API in.
import type * as tfc from '@tensorflow/tfjs-core';
import type { BerOptions, BerResult } from '../../../src/sim/index.js';

type Tf = typeof tfc;

/** init's `simd` option: which SIMD build of the nn module to load. */
export type SimdChoice = 'auto' | 'relaxed' | 'plain';

/** The slice of the package's API the checks use: main entry, channel subpath, optionally sim. */
export interface PackageApi {
  init(options?: { simd?: SimdChoice }): Promise<unknown>;
  tf: Tf;
  BACKEND_NAME: string;
  Rng: new (seed: number) => {
    nextU32(): number;
    uniform(n: number): Float32Array;
    normal(n: number): Float32Array;
  };
  awgnComplex(iq: Float32Array, snrDb: number, noise: never): Float32Array;
  simulateBer?: (options: BerOptions) => BerResult;
}

/** A float32 array as its bit patterns, shape attached. */
export interface F32Bits {
  shape: number[];
  bits: number[];
}

function bitsOfArray(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

/** The float32 values behind {@link F32Bits} bit patterns. */
export function floatsOf(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

/** Forward and gradients of the small convnet on one backend. */
export interface ConvOutputs {
  /** conv2d(x, w, stride 1, 'same'): x [2, 9, 9, 3], w [3, 3, 3, 4] → [2, 9, 9, 4]. */
  forward: F32Bits;
  /** ∂/∂x and ∂/∂w of sum(maxPool2x2(relu(conv2d(x, w)))). */
  dx: F32Bits;
  dw: F32Bits;
}

export interface ConvResult extends ConvOutputs {
  /** tf.getBackend() right after init(). */
  backend: string;
  /** The SIMD build init() loaded (backend.nn.simd): 'plain' or 'relaxed'. */
  simd: string | undefined;
  /** The same computation on tfjs-backend-cpu in the same engine, for reference. */
  cpu: ConvOutputs;
}

export interface RngResult {
  u32: number[];
  uniform: number[];
  normal: number[];
  /** awgnComplex of a fixed QPSK-like signal at 3 dB Es/N0 with a seeded Rng. */
  awgn: number[];
}

export interface BerCounts {
  frames: number;
  bits: number;
  bitErrors: number;
  frameErrors: number;
  undetectedFrameErrors: number;
  meanIterations: number | null;
}

/** The checks, bound to one copy of the package. */
export function checksFor(pkg: PackageApi) {
  const { tf } = pkg;
  const bitsOf = (t: tfc.Tensor): F32Bits => ({ shape: t.shape.slice(), bits: bitsOfArray(t.dataSync() as Float32Array) });

  /**
   * Initialises backend `wmoe` (which makes it current) with SIMD build `simd` (default 'plain':
   * the build whose bits Node and browsers share) and runs a conv2d forward and the gradients of
   * a small conv+relu+maxpool+sum loss on it, then the same on 'cpu'.
   */
  async function convCheck(simd: SimdChoice = 'plain'): Promise<ConvResult> {
    const loaded = (await pkg.init({ simd })) as { nn?: { simd?: string } };
    const backend = tf.getBackend();
    const r = new pkg.Rng(11);
    const xs = r.uniform(2 * 9 * 9 * 3).map((u) => 2 * u - 1);
    const ws = r.uniform(3 * 3 * 3 * 4).map((u) => 2 * u - 1);
    const run = (): ConvOutputs => {
      const [forward, dx, dw] = tf.tidy(() => {
        const x = tf.tensor4d(xs, [2, 9, 9, 3]);
        const w = tf.tensor4d(ws, [3, 3, 3, 4]);
        const loss = (a: tfc.Tensor, b: tfc.Tensor) =>
          tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tfc.Tensor4D, b as tfc.Tensor4D, 1, 'same')), 2, 2, 'valid'));
        return [tf.conv2d(x, w, 1, 'same'), ...tf.grads(loss)([x, w])];
      });
      const out = { forward: bitsOf(forward), dx: bitsOf(dx), dw: bitsOf(dw) };
      tf.dispose([forward, dx, dw]);
      return out;
    };
    const got = run();
    await tf.setBackend('cpu');
    try {
      return { backend, simd: loaded.nn?.simd, ...got, cpu: run() };
    } finally {
      await tf.setBackend(pkg.BACKEND_NAME);
    }
  }

  /** Seeded draws of the channel library: u32, uniform, Gaussian samples and complex AWGN. */
  function rngCheck(seed: number): RngResult {
    const r = new pkg.Rng(seed);
    const u32 = Array.from({ length: 8 }, () => r.nextU32());
    const uniform = bitsOfArray(r.uniform(37));
    const normal = bitsOfArray(new pkg.Rng(seed + 1).normal(1000));
    const iq = new Float32Array(256).map((_, i) => (i % 3 === 0 ? -Math.SQRT1_2 : Math.SQRT1_2));
    const awgn = bitsOfArray(pkg.awgnComplex(iq, 3, new pkg.Rng(seed + 2) as never));
    return { u32, uniform, normal, awgn };
  }

  /**
   * A seeded BER run: 802.11n n = 648 rate 1/2, BPSK, Eb/N0 = 1.5 dB, layered normalised
   * min-sum, exactly `frames` frames (the frame-error stop is set beyond reach).
   */
  function berCheck(seed: number, frames: number): BerCounts {
    if (!pkg.simulateBer) throw new Error('berCheck: this copy of the package has no simulateBer');
    const r = pkg.simulateBer({
      code: '80211n:648:1/2',
      modulation: 'bpsk',
      decoder: 'nms',
      ebn0Db: [1.5],
      maxFrames: frames,
      maxFrameErrors: frames + 1,
      batchFrames: 64,
      seed,
    });
    const p = r.points[0];
    return {
      frames: p.frames,
      bits: p.bits,
      bitErrors: p.bitErrors,
      frameErrors: p.frameErrors,
      undetectedFrameErrors: p.undetectedFrameErrors,
      meanIterations: p.meanIterations,
    };
  }

  return { convCheck, rngCheck, berCheck };
}
