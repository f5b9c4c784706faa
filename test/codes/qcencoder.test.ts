import { describe, expect, it } from 'vitest';
import { IEEE80211N_PROTOTYPES } from '../../src/codes/data/ieee80211n.js';
import { NR_BG1, NR_BG2 } from '../../src/codes/data/nr_base_graphs.js';
import { Gf2SystematicEncoder } from '../../src/codes/gf2encoder.js';
import { wifiCode } from '../../src/codes/ieee80211n.js';
import { nrCode, nrLiftingSet } from '../../src/codes/nr.js';
import type { QcPrototype } from '../../src/codes/qc.js';
import type { ParityCheckMatrix } from '../../src/codes/types.js';
import { QcEncoder } from '../../src/codes/qcencoder.js';
import { errorOf, failedQcChecks, randomBits } from './parity.js';

/** Block list straight from the shipped 802.11n data. */
function wifiBlocks(key: string): [number, number, number][] {
  const p = IEEE80211N_PROTOTYPES[key];
  const out: [number, number, number][] = [];
  for (let i = 0; i < p.rows; i++) for (let j = 0; j < 24; j++) if (p.shifts[i * 24 + j] >= 0) out.push([i, j, p.shifts[i * 24 + j]]);
  return out;
}

/** Block list straight from the shipped base-graph data. */
function nrBlocks(bg: 1 | 2, z: number): [number, number, number][] {
  const g = bg === 1 ? NR_BG1 : NR_BG2;
  const iLS = nrLiftingSet(z);
  const out: [number, number, number][] = [];
  for (let e = 0; e < g.count; e++) out.push([g.entries[e * 10], g.entries[e * 10 + 1], g.entries[e * 10 + 2 + iLS] % z]);
  return out;
}

describe('QcEncoder', () => {
  for (const key of Object.keys(IEEE80211N_PROTOTYPES)) {
    it(`802.11n ${key}: 30 random messages give systematic codewords with H·c = 0`, () => {
      const [n, r] = key.split(':');
      const code = wifiCode(Number(n), r);
      const enc = new QcEncoder(code.proto, 24 - code.proto.rows, code.proto.rows);
      expect(enc.n).toBe(code.n);
      expect(enc.k).toBe(code.k);
      const blocks = wifiBlocks(key);
      for (let t = 0; t < 30; t++) {
        const info = randomBits(code.k, 1000 * t + code.n + code.k);
        const c = enc.encode(info);
        expect(c.length).toBe(code.n);
        expect(Array.from(c.subarray(0, code.k))).toEqual(Array.from(info));
        expect(failedQcChecks(blocks, code.proto.rows, code.Z, c)).toBe(0);
      }
    });
  }

  const nrCases: [1 | 2, number][] = [];
  for (const z of [2, 3, 5, 7, 9, 11, 13, 15, 104, 208, 240, 384]) nrCases.push([1, z], [2, z]);
  for (const [bg, z] of nrCases) {
    it(`NR BG${bg} Z=${z}: random messages give systematic codewords with H·c = 0`, () => {
      const code = nrCode(bg, z);
      const enc = new QcEncoder(code.proto, code.kb, 4);
      const blocks = nrBlocks(bg, z);
      const trials = z >= 200 ? 5 : 20;
      for (let t = 0; t < trials; t++) {
        const info = randomBits(code.k, 77 * t + z + bg);
        const c = enc.encode(info);
        expect(c.length).toBe(code.n);
        expect(Array.from(c.subarray(0, code.k))).toEqual(Array.from(info));
        expect(failedQcChecks(blocks, code.proto.rows, z, c)).toBe(0);
      }
    });
  }

  it('the all-zero message encodes to the all-zero word, and encoding is linear and deterministic', () => {
    const code = nrCode(1, 52);
    const enc = new QcEncoder(code.proto, code.kb, 4);
    expect(enc.encode(new Uint8Array(code.k)).every((b) => b === 0)).toBe(true);
    const a = randomBits(code.k, 5);
    const b = randomBits(code.k, 6);
    const ca = enc.encode(a);
    const cb = enc.encode(b);
    const cab = enc.encode(a.map((v, i) => v ^ b[i]));
    expect(Array.from(cab)).toEqual(Array.from(ca.map((v, i) => v ^ cb[i])));
    expect(Array.from(enc.encode(a))).toEqual(Array.from(ca));
  });

  it('matches the Gaussian-elimination encoder bit for bit (same code, same information positions)', () => {
    const cases: { proto: QcPrototype; kb: number; core: number; h: ParityCheckMatrix }[] = [];
    for (const r of ['1/2', '2/3', '3/4', '5/6']) {
      const w = wifiCode(648, r);
      cases.push({ proto: w.proto, kb: 24 - w.proto.rows, core: w.proto.rows, h: w.H });
    }
    for (const [bg, z] of [
      [1, 2],
      [2, 3],
      [1, 5],
      [2, 7],
    ] as const) {
      const c = nrCode(bg, z);
      cases.push({ proto: c.proto, kb: c.kb, core: 4, h: c.H });
    }
    for (const { proto, kb, core, h } of cases) {
      const qc = new QcEncoder(proto, kb, core);
      const ge = new Gf2SystematicEncoder(h);
      expect(ge.k).toBe(qc.k);
      expect(Array.from(ge.infoPositions)).toEqual(Array.from({ length: qc.k }, (_, i) => i));
      for (let t = 0; t < 5; t++) {
        const info = randomBits(qc.k, 31 * t + 3);
        expect(Array.from(qc.encode(info))).toEqual(Array.from(ge.encode(info)));
      }
    }
  });

  it('rejects a prototype without a solvable parity structure', () => {
    // Parity part [[0, 0], [0, 0]]: the first column's shifts cancel.
    const proto = { rows: 2, cols: 3, z: 4, shifts: Int32Array.from([1, 0, 0, 2, 0, 0]) };
    expect(errorOf(() => new QcEncoder(proto, 1, 2))).toMatch(/^QcEncoder: the core rows of parity column 1 do not sum to a single circulant/);
    expect(errorOf(() => new QcEncoder(proto, 2, 2))).toMatch(/no square parity part/);
  });
});
