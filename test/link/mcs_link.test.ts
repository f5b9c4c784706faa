// The digital link with an MCS table: a fixed MCS is the one-code link of that MCS; adaptive MCS keeps
// the codeword error rate at or below the target where the lowest MCS can meet it (T15), the outer loop
// corrects a biased gate SNR, and :outage takes links out of routing.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, wmoe } from '../helpers/tf.js';
import { digitalLink, mcsLink } from '../../src/link/digital.js';
import { awgnLinkBatch, ChannelModel } from '../../src/link/channel_model.js';
import { channelModelSpecOf } from '../../src/link/channel_settings.js';
import { mcsTable } from '../../src/codes/mcs/table.js';
import { parseMcsPolicy } from '../../src/cli/channel_flags.js';
import { wilsonInterval } from '../../src/sim/confidence.js';

const BITS = 8;
const D = 100; // 800 bits per vector: one 1944 codeword at every rate

/** Random features [B, D]. */
const features = (B: number, seed: number) => tf.randomNormal([B, D], 0, 1, 'float32', seed) as tf.Tensor2D;

describe('digital link with an MCS table', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('a fixed MCS sends exactly as the one-code link of its code and modulation (AWGN and Rayleigh)', () => {
    const table = mcsTable('80211n:1944');
    const f = features(12, 1);
    for (const index of [0, 5, 7]) {
      const e = table.entries[index];
      const snr = Array.from({ length: 12 * 2 }, (_, i) => 8 + (i % 9));
      const fading = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh', 'rx-csi': 'pilots:2' }), 2, 5).realise(snr, 12, 0, 3);
      for (const batch of [awgnLinkBatch(snr, 12, 2, 3), fading]) {
        const a = mcsLink({ kind: 'fixed', table, index }, { bits: BITS });
        const b = digitalLink({ code: e.code, modulation: e.modulation, bits: BITS });
        expect(Array.from(a.transmit(f, batch).dataSync())).toEqual(Array.from(b.transmit(f, batch).dataSync()));
        expect(a.totals.frameErrors).toBe(b.totals.frameErrors);
        expect(Array.from(a.channelUses(D, batch))).toEqual(new Array(24).fill(b.codec.channelUses(D) + batch.rx.pilotUses));
      }
    }
  });

  it('adaptive (perfect gate CSI): at every SNR above the lowest MCS threshold the BLER is at most the target, within statistics', () => {
    const spec = parseMcsPolicy('adaptive:bler=0.1:table=80211n:1944');
    const link = mcsLink(spec, { bits: BITS });
    const tau = link.mcs!.thresholdsDb;
    const B = 400;
    const f = features(B, 2);
    let lastUses = Infinity;
    for (const snr of [tau[0] + 0.05, 1, 3.3, 6, 8.2, 11.1, 14, 16.6, 18.05, 25]) {
      const l = mcsLink(spec, { bits: BITS });
      const batch = awgnLinkBatch(new Float32Array(B).fill(snr), B, 1, 7);
      l.transmit(f, batch);
      const { lo } = wilsonInterval(l.totals.frameErrors, l.totals.frames, 0.99);
      expect(lo, `SNR ${snr} dB: ${l.totals.frameErrors}/${l.totals.frames}`).toBeLessThanOrEqual(0.1);
      const uses = l.channelUses(D, batch)[0];
      expect(uses).toBeLessThanOrEqual(lastUses); // a higher MCS, fewer channel uses
      lastUses = uses;
    }
    expect(lastUses).toBe(Math.ceil((D * BITS) / (1944 * 5 / 6)) * 1944 / 6); // MCS 7 at 25 dB
  });

  it('below the lowest threshold the lowest MCS is sent and fails; with :outage the link is out of routing instead', () => {
    const B = 200;
    const f = features(B, 3);
    const snr = new Float32Array(2 * B).map((_, i) => (i % 2 ? -6 : 20)); // expert 1 hopeless
    const batch = awgnLinkBatch(snr, B, 2, 1);
    const fallback = mcsLink(parseMcsPolicy('adaptive'), { bits: BITS });
    fallback.transmit(f, batch);
    expect(fallback.vectorsPerMcs.get(0)).toBe(B);
    expect(fallback.totals.frameErrors).toBeGreaterThan(0.9 * B); // expert 1's codewords all fail
    const outage = mcsLink(parseMcsPolicy('adaptive:outage'), { bits: BITS });
    const prepared = outage.prepare!(batch);
    expect(Array.from(prepared.available!)).toEqual(Array.from(snr, (s) => (s < 0 ? 0 : 1)));
    expect(Array.from(outage.channelUses(D, batch)).filter((u, i) => i % 2 === 1 && u !== 0)).toEqual([]);
    // Sent anyway (a mask that picks it), an outage pair delivers zeros and costs nothing.
    const rx = outage.transmit(f, prepared).dataSync();
    expect(rx.subarray(B * D).every((v) => v === 0)).toBe(true);
    expect(outage.vectorsPerMcs.get(0)).toBeUndefined();
    expect(outage.mcs!.summary().outageRate).toBe(0.5);
  });

  it('OLLA: with a noisy gate SNR (pilots:1) the inner loop alone overshoots the target; the outer loop brings the BLER back to it', () => {
    const K = 2, B = 250, batches = 24;
    const f = features(B, 4);
    const model = new ChannelModel(channelModelSpecOf({ channel: 'rayleigh', csi: 'pilots:1' }), K, 11);
    const run = (text: string) => {
      const link = mcsLink(parseMcsPolicy(text), { bits: BITS });
      let frames = 0, errors = 0;
      for (let s = 0; s < batches; s++) {
        const before = { ...link.totals };
        link.transmit(f, model.realise(new Float32Array(B * K).fill(12), B, s * B, 100 + s));
        if (s >= batches / 3) { // after burn-in
          frames += link.totals.frames - before.frames;
          errors += link.totals.frameErrors - before.frameErrors;
        }
      }
      return { frames, errors, offsets: link.mcs!.summary().ollaOffsetsDb };
    };
    const inner = run('adaptive:bler=0.1');
    const olla = run('adaptive:bler=0.1:olla');
    expect(wilsonInterval(inner.errors, inner.frames, 0.99).lo).toBeGreaterThan(0.1);
    const { lo, hi } = wilsonInterval(olla.errors, olla.frames, 0.99);
    expect(lo).toBeLessThanOrEqual(0.1);
    expect(hi).toBeGreaterThanOrEqual(0.07);
    expect(olla.offsets!.every((o) => o < 0)).toBe(true); // the gate's estimate was optimistic on average
  }, 60_000);
});
