// The demo page's Web Worker: the long computations, off the main thread so that the page stays
// responsive. It loads the package (backend wmoe, WASM inlined in the bundle), the checkpoint and
// the test images, then runs accuracy-vs-SNR sweeps (the package's `evaluate`, naive against
// channel-aware gating) and BER/FER curves (the package's `simulateBer` and LDPC decoder),
// posting progress after every evaluation or decoded batch.
import { init, tf } from '../src/index.js';
import { evaluate } from '../src/train/evaluate.js';
import { extractFeatures, type FeatureSet } from '../src/train/features.js';
import { head } from '../src/data/dataset.js';
import { simulateBer } from '../src/sim/ber.js';
import { linkOf, loadAssets, type Assets, type BerRequest, type FromWorker, type SweepEval, type SweepRequest, type SweepResult, type ToWorker } from './shared.js';

const scope = self as unknown as {
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker) => scope.postMessage(m);

let assets: Promise<Assets> | undefined;
/** Backbone features of the first n test images, by n. */
const features = new Map<number, FeatureSet>();

function featuresOf(a: Assets, n: number): FeatureSet {
  let f = features.get(n);
  if (!f) {
    f = extractFeatures(a.model, head(a.test, n));
    features.set(n, f);
  }
  return f;
}

function sweep(a: Assets, req: SweepRequest): SweepResult {
  const t0 = performance.now();
  const K = a.model.config.experts;
  const n = Math.min(req.samples, a.test.n);
  post({ type: 'progress', id: req.id, fraction: 0, label: `backbone features of ${n} test images` });
  const data = featuresOf(a, n);
  const link = linkOf(req.link);
  const settings = (x: number): number[][] =>
    req.mode === 'one-link'
      ? Array.from({ length: K }, (_, odd) => Array.from({ length: K }, (_, k) => (k === odd ? x : req.otherDb)))
      : [Array<number>(K).fill(x)];
  const total = req.snrDb.length * 2 * settings(0).length;
  const evals: SweepEval[] = [];
  const mean: Record<SweepEval['gate'], number[]> = { naive: [], 'channel-aware': [] };
  for (const x of req.snrDb) {
    for (const gate of ['naive', 'channel-aware'] as const) {
      let sum = 0;
      for (const snrDb of settings(x)) {
        const r = evaluate(a.model, data, { gate, link, snr: { kind: 'fixed', db: snrDb }, seed: req.seed });
        evals.push({ gate, snrDb, accuracy: r.accuracy, selection: r.selection });
        sum += r.accuracy;
        post({ type: 'progress', id: req.id, fraction: evals.length / total, label: `${gate} gate at ${snrDb.join(', ')} dB` });
      }
      mean[gate].push(sum / settings(x).length);
    }
  }
  return { request: req, samples: n, naive: mean.naive, channelAware: mean['channel-aware'], evals, seconds: (performance.now() - t0) / 1000 };
}

function ber(req: BerRequest): FromWorker {
  const t0 = performance.now();
  const result = simulateBer(
    {
      code: req.code,
      modulation: req.modulation,
      decoder: 'nms',
      ebn0Db: req.ebn0Db,
      maxFrameErrors: req.maxFrameErrors,
      maxFrames: req.maxFrames,
      batchFrames: 64,
      seed: req.seed,
    },
    (p) => {
      const within = p.done ? 1 : Math.min(1, Math.max(p.frameErrors / req.maxFrameErrors, p.frames / req.maxFrames));
      post({
        type: 'progress',
        id: req.id,
        fraction: (p.point + within) / p.points,
        label: `Eb/N0 ${p.ebn0Db} dB: ${p.frames} frames, ${p.frameErrors} frame errors`,
      });
    },
  );
  return { type: 'ber', id: req.id, result, seconds: (performance.now() - t0) / 1000 };
}

scope.onmessage = async (e) => {
  const msg = e.data;
  const id = msg.type === 'init' ? undefined : msg.id;
  try {
    if (msg.type === 'init') {
      assets = (async () => {
        await init({ simd: msg.simd });
        return loadAssets(msg.base);
      })();
      const a = await assets;
      post({ type: 'ready', backend: tf.getBackend(), samples: a.test.n });
    } else if (msg.type === 'sweep') {
      if (!assets) throw new Error('the worker got a sweep before init');
      post({ type: 'sweep', id: msg.id, result: sweep(await assets, msg) });
    } else if (msg.type === 'ber') {
      post(ber(msg));
    }
  } catch (err) {
    post({ type: 'error', id, message: (err as Error).message });
  }
};
