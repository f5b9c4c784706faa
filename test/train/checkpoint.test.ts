// The stage-2 link record a checkpoint carries in config.json, and its round trip.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, wmoe } from '../helpers/tf.js';
import { tempDir } from '../helpers/cli.js';
import { DistributedMoE } from '../../src/moe/model.js';
import { analogLink, digitalLink, perfectLink } from '../../src/link/index.js';
import { linkRecordOf, loadCheckpoint, parseLinkRecord, writeRunDirectory } from '../../src/train/checkpoint.js';
import { InputError } from '../../src/errors.js';
import { expectInputError } from '../helpers/errors.js';
import type { MoeConfig } from '../../src/moe/config.js';

const MOE: MoeConfig = { model: 'lenet5', dataset: 'mnist', inputShape: [32, 32, 1], classes: 10, experts: 2, topK: 1, snrRange: [-10, 20] };

describe('stage-2 link records', () => {
  it('records the kind, and for a digital link every option with the decoder defaults filled in', () => {
    expect(linkRecordOf(analogLink)).toEqual({ kind: 'analog' });
    expect(linkRecordOf(perfectLink)).toEqual({ kind: 'perfect' });
    expect(linkRecordOf(digitalLink({ code: '80211n:648:3/4', modulation: 'qpsk', bits: 6 }))).toEqual({
      kind: 'digital', code: '80211n:648:3/4', modulation: 'qpsk', bits: 6, decoder: { algorithm: 'nms', iterations: 10 },
    });
    expect(linkRecordOf(digitalLink({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'spa', iterations: 30 } }))).toMatchObject({
      decoder: { algorithm: 'spa', iterations: 30 },
    });
  });

  it('parses what it writes, and the older form of a digital record (the codec options, no kind)', () => {
    const rec = linkRecordOf(digitalLink({ code: '80211n:648:3/4', modulation: 'qpsk', bits: 6 }));
    expect(parseLinkRecord(JSON.parse(JSON.stringify(rec)), 'c.json')).toEqual(rec);
    expect(parseLinkRecord(undefined, 'c.json')).toBeUndefined();
    expect(parseLinkRecord({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 8 }, 'c.json')).toEqual({
      kind: 'digital', code: '80211n:648:1/2', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'nms', iterations: 10 },
    });
  });

  it.each([
    [null, 'must be an object, got null'],
    [{ kind: 'optical' }, 'has unknown kind "optical" (known: perfect, analog, digital)'],
    [{ kind: 'digital', code: '', modulation: 'bpsk', bits: 8 }, 'has code "", not a code spec'],
    [{ kind: 'digital', code: 'x', modulation: '256qam', bits: 8 }, 'has unknown modulation "256qam"'],
    [{ kind: 'digital', code: 'x', modulation: 'bpsk', bits: 17 }, 'has bits 17, not an integer in [1, 16]'],
    [{ kind: 'digital', code: 'x', modulation: 'bpsk', bits: 8, decoder: { algorithm: 'bp' } }, 'has unknown decoder "bp"'],
    [{ kind: 'digital', code: 'x', modulation: 'bpsk', bits: 8, decoder: { iterations: 0 } }, 'has decoder iterations 0, not an integer in [1, 1000]'],
  ])('rejects %j with an InputError naming the value', (raw, what) => {
    expectInputError(() => parseLinkRecord(raw, 'c.json'), `checkpoint 'c.json': meta.stage2Link ${what}`);
  });
});

describe('checkpoints carry their stage-2 link', () => {
  beforeAll(async () => {
    await wmoe();
    await tf.setBackend('wmoe');
  });

  it('writeRunDirectory → loadCheckpoint returns the record; a bad record fails the load', () => {
    const model = new DistributedMoE(MOE, 3);
    const dir = join(tempDir(), 'ckpt');
    const record = linkRecordOf(digitalLink({ code: '80211n:648:1/2', modulation: '16qam', bits: 4 }));
    writeRunDirectory(dir, model, { stage2Link: record }, {});
    const loaded = loadCheckpoint(dir);
    expect(loaded.stage2Link).toEqual(record);
    expect(Array.from(loaded.model.params.toFlat())).toEqual(Array.from(model.params.toFlat()));
    loaded.model.dispose();

    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    config.meta.stage2Link.bits = 0;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    expect(() => loadCheckpoint(dir)).toThrow(InputError);
    model.dispose();
  });
});
