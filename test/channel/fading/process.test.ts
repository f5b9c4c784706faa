// The FadingProcess factory: which process a spec gives, AWGN gains, argument checks, seeds.
import { describe, expect, it } from 'vitest';
import { createFadingProcess, NoFading } from '../../../src/channel/fading/process.js';
import { IidRayleigh } from '../../../src/channel/fading/iid.js';
import { JakesSoS } from '../../../src/channel/fading/jakes.js';
import { Ar1Fading } from '../../../src/channel/fading/ar1.js';
import { RicianFading } from '../../../src/channel/fading/rician.js';
import type { FadingSpec } from '../../../src/channel/fading/spec.js';
import { expectInputError } from '../../helpers/errors.js';

const spec = (channel: FadingSpec['channel'], doppler: FadingSpec['doppler'] = null): FadingSpec => ({ channel, coherence: 1, doppler });

describe('createFadingProcess', () => {
  it('builds the process the spec names', () => {
    expect(createFadingProcess(spec({ kind: 'awgn' }), 2, 1)).toBeInstanceOf(NoFading);
    expect(createFadingProcess(spec({ kind: 'rayleigh' }), 2, 1)).toBeInstanceOf(IidRayleigh);
    expect(createFadingProcess(spec({ kind: 'rayleigh' }, { model: 'jakes', f: 0.1 }), 2, 1)).toBeInstanceOf(JakesSoS);
    expect(createFadingProcess(spec({ kind: 'rayleigh' }, { model: 'ar1', f: 0.1 }), 2, 1)).toBeInstanceOf(Ar1Fading);
    expect(createFadingProcess(spec({ kind: 'rician', kFactorDb: 3 }), 2, 1)).toBeInstanceOf(RicianFading);
  });

  it('gives h = 1 + 0j under AWGN and the same gains as the process class for the same seed', () => {
    const out = new Float32Array(6).fill(9);
    createFadingProcess(spec({ kind: 'awgn' }), 1, 1).gains(0, 5, 3, out);
    expect(Array.from(out)).toEqual([1, 0, 1, 0, 1, 0]);
    const a = new Float32Array(20), b = new Float32Array(20);
    createFadingProcess(spec({ kind: 'rayleigh' }, { model: 'jakes', f: 0.2 }), 3, 42).gains(2, 10, 10, a);
    new JakesSoS(3, 42, 0.2).gains(2, 10, 10, b);
    expect(a).toEqual(b);
  });

  it('rejects bad specs and arguments, naming the value', () => {
    expectInputError(() => createFadingProcess({ ...spec({ kind: 'rayleigh' }), coherence: 0 }, 2, 1), 'coherence 0 is not an integer ≥ 1');
    expectInputError(() => createFadingProcess(spec({ kind: 'rayleigh' }), 0, 1), 'experts 0 is not an integer ≥ 1');
    expect(() => createFadingProcess(spec({ kind: 'rayleigh' }), 2, -1)).toThrow(/-1/);
    const p = createFadingProcess(spec({ kind: 'rayleigh' }), 2, 1);
    expect(() => p.gains(2, 0, 1, new Float32Array(2))).toThrow('expert 2 is not an integer in [0, 2)');
    expect(() => p.gains(0, -1, 1, new Float32Array(2))).toThrow('first block -1');
    expect(() => p.gains(0, 0, 2, new Float32Array(2))).toThrow('length ≥ 4');
  });
});
