// The fused channel (modem.llrOverAwgn) against the unfused chain modulate → addNoise → demap,
// bit for bit and in the generator state it leaves; its noise against the AWGN variance; its
// input checks (no output, no Rng movement on error).
import { describe, expect, it } from 'vitest';
import { Rng, bpsk, qpsk, qam16, n0FromEsn0, type Modem } from '../../src/channel/index.js';
import { channelModule } from '../../src/channel/wasm.js';

const modems: Modem[] = [bpsk, qpsk, qam16];

/** Random 0/1 bytes from a seed (not from the stream under test). */
function randomBits(n: number, seed: number): Uint8Array {
  const u = new Rng(seed).uniform(n);
  return Uint8Array.from(u, (x) => (x < 0.5 ? 1 : 0));
}

/** The unfused chain, as src/sim and src/link used it. */
function chain(m: Modem, bits: Uint8Array, esn0Db: number, rng: Rng, exact: boolean): Float32Array {
  const y = m.addNoise(m.modulate(bits), esn0Db, rng);
  const n0 = n0FromEsn0(esn0Db);
  return exact ? m.demapExact(y, n0) : m.demapMaxLog(y, n0);
}

/** Puts a generator mid-stream: a partial step (scalar draws) and/or spare normals left over. */
function positioned(seed: number, how: number): Rng {
  const r = new Rng(seed);
  if (how === 1) r.nextU32(); // lane cursor mid-step
  if (how === 2) r.normal(3); // 5 spare normals
  if (how === 3) {
    r.normal(1); // 7 spares
    r.nextU32(); // and a scalar draw (spares stay)
  }
  return r;
}

/** Exact equality of two float32 arrays, including the sign of zero. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

describe('modem.llrOverAwgn: bit-identical to modulate → addNoise → demap', () => {
  // lengths: tiny (covered by spares), odd tails, past the 2048-bit inner slice and the 16 Ki-bit call slice
  const lengths = [0, 4, 12, 1020, 2052, 16384 + 36, 40000];
  for (const m of modems) {
    for (const exact of [true, false]) {
      it(`${m.name}, ${exact ? 'exact' : 'max-log'}: same LLRs and the same generator state afterwards`, () => {
        let cases = 0;
        for (const len of lengths) {
          for (const how of [0, 1, 2, 3]) {
            for (const esn0 of [-3, 4.5, 12]) {
              const bits = randomBits(len, 1000 + len);
              const a = positioned(31 + how, how);
              const b = positioned(31 + how, how);
              const want = chain(m, bits, esn0, a, exact);
              const out = new Float32Array(len).fill(NaN);
              const got = m.llrOverAwgn(bits, esn0, b, out, { exact });
              expect(got).toBe(out);
              if (!sameBits(got, want)) throw new Error(`${m.name} len ${len} how ${how} Es/N0 ${esn0}: LLRs differ`);
              // the streams continue identically: spares, lane cursor and state all agree
              expect(Array.from(b.normal(13))).toEqual(Array.from(a.normal(13)));
              expect(b.nextU32()).toBe(a.nextU32());
              expect(Array.from(b.normal(9))).toEqual(Array.from(a.normal(9)));
              cases++;
            }
          }
        }
        expect(cases).toBe(lengths.length * 12);
      });
    }
  }

  it('a seed as the noise source is the stream of new Rng(seed); default is exact', () => {
    const bits = randomBits(4096, 5);
    for (const m of modems) {
      const got = m.llrOverAwgn(bits, 3, 99, new Float32Array(bits.length));
      expect(sameBits(got, chain(m, bits, 3, new Rng(99), true))).toBe(true);
    }
  });

  it('successive calls continue one noise stream, like successive addNoise calls', () => {
    const bits = randomBits(3000, 6);
    const a = new Rng(8);
    const b = new Rng(8);
    const out = new Float32Array(3000);
    for (const [lo, hi] of [[0, 4], [4, 1000], [1000, 1012], [1012, 3000]]) {
      const want = chain(qam16, bits.subarray(lo, hi), 6, a, true);
      const got = qam16.llrOverAwgn(bits.subarray(lo, hi), 6, b, out.subarray(lo, hi));
      expect(sameBits(got, want)).toBe(true);
    }
  });

  it('works on unaligned views of larger buffers', () => {
    const big = randomBits(5003, 7);
    const bits = big.subarray(3, 3 + 4000);
    const store = new Float32Array(4001);
    const got = qpsk.llrOverAwgn(bits, 1, new Rng(4), store.subarray(1));
    expect(sameBits(got, chain(qpsk, bits, 1, new Rng(4), true))).toBe(true);
    expect(store[0]).toBe(0);
  });

  it('reuses the WASM arena: repeated calls do not grow memory', () => {
    const bits = randomBits(100000, 9);
    const out = new Float32Array(bits.length);
    const rng = new Rng(3);
    qam16.llrOverAwgn(bits, 5, rng, out);
    const peak = channelModule().arena.peakBytes;
    for (let r = 0; r < 3; r++) qam16.llrOverAwgn(bits, 5, rng, out);
    expect(channelModule().arena.peakBytes).toBe(peak);
  });
});

describe('modem.llrOverAwgn: the channel itself', () => {
  it('BPSK: y = LLR·N0/4 is ±1 plus noise of variance N0/2', () => {
    const n = 1 << 18;
    const bits = randomBits(n, 12);
    for (const esn0 of [0, 6]) {
      const n0 = n0FromEsn0(esn0);
      const llr = bpsk.llrOverAwgn(bits, esn0, 21, new Float32Array(n));
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const e = (llr[i] * n0) / 4 - (1 - 2 * bits[i]);
        s += e;
        s2 += e * e;
      }
      const v = s2 / n - (s / n) ** 2;
      expect(Math.abs(s / n)).toBeLessThan(4 * Math.sqrt(n0 / 2 / n));
      expect(Math.abs(v / (n0 / 2) - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
  });

  it('16-QAM at high SNR: every hard decision (LLR < 0 ↦ 1) is the sent bit', () => {
    const bits = randomBits(40000, 13);
    const llr = qam16.llrOverAwgn(bits, 25, 3, new Float32Array(bits.length), { exact: false });
    for (let i = 0; i < bits.length; i++) if ((llr[i] < 0 ? 1 : 0) !== bits[i]) throw new Error(`bit ${i} flipped at 25 dB`);
  });
});

describe('modem.llrOverAwgn: bad input', () => {
  const bits = randomBits(64, 14);
  const cases: [string, () => unknown, string][] = [
    ['non-bit byte', () => bpsk.llrOverAwgn(Uint8Array.from(bits, (b, i) => (i === 37 ? 2 : b)), 1, 1, new Float32Array(64)), 'bits[37] = 2'],
    ['non-bit byte in the unaligned tail', () => bpsk.llrOverAwgn(Uint8Array.from(bits.subarray(0, 63), (b, i) => (i === 62 ? 9 : b)), 1, 1, new Float32Array(63)), 'bits[62] = 9'],
    ['bits not a Uint8Array', () => bpsk.llrOverAwgn([0, 1] as unknown as Uint8Array, 1, 1, new Float32Array(2)), 'Array'],
    ['QPSK odd length', () => qpsk.llrOverAwgn(bits.subarray(0, 7), 1, 1, new Float32Array(7)), '7'],
    ['16-QAM length not a multiple of 4', () => qam16.llrOverAwgn(bits.subarray(0, 10), 1, 1, new Float32Array(10)), '10'],
    ['NaN Es/N0', () => bpsk.llrOverAwgn(bits, NaN, 1, new Float32Array(64)), 'NaN'],
    ['Es/N0 too high for float32 LLRs', () => bpsk.llrOverAwgn(bits, 400, 1, new Float32Array(64)), '400'],
    ['Es/N0 too low for float32 noise', () => bpsk.llrOverAwgn(bits, -800, 1, new Float32Array(64)), '-800'],
    ['bad seed', () => bpsk.llrOverAwgn(bits, 1, -2, new Float32Array(64)), '-2'],
    ['out too short', () => bpsk.llrOverAwgn(bits, 1, 1, new Float32Array(63)), '63'],
    ['out not a Float32Array', () => bpsk.llrOverAwgn(bits, 1, 1, new Float64Array(64) as unknown as Float32Array), 'Float64Array'],
    ['out overlapping bits', () => {
      const buf = new ArrayBuffer(512);
      return bpsk.llrOverAwgn(new Uint8Array(buf, 0, 64), 1, 1, new Float32Array(buf, 32, 64));
    }, 'overlaps'],
    ['opts.exact not a boolean', () => qam16.llrOverAwgn(bits, 1, 1, new Float32Array(64), { exact: 1 as unknown as boolean }), 'exact'],
  ];
  for (const [name, f, needle] of cases) {
    it(`${name}: one-line error naming it`, () => {
      let msg = '';
      try {
        f();
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toContain(needle);
      expect(msg.split('\n')).toHaveLength(1);
    });
  }

  it('an error leaves out and the generator untouched', () => {
    const bad = bits.slice();
    bad[50] = 3;
    const rng = positioned(77, 2);
    const twin = positioned(77, 2);
    const out = new Float32Array(64).fill(5);
    expect(() => bpsk.llrOverAwgn(bad, 2, rng, out)).toThrow('bits[50] = 3');
    expect(out.every((x) => x === 5)).toBe(true);
    expect(Array.from(rng.normal(10))).toEqual(Array.from(twin.normal(10)));
  });
});
