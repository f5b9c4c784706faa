// The demo's comparison parts: each computed once, saved as it finishes, read back by a later session.
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PARTS_DIR, demoParts } from '../../src/cli/commands/demo_parts.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

describe('demoParts', () => {
  it('computes a part once and saves it; a later session reads it back exactly, without computing', () => {
    const out = tempDir();
    let runs = 0;
    const value = { rows: [{ naive: 0.1 + 0.2, channelAware: 1 / 3 }], curves: [-10, 20] };
    const first = demoParts(out, true);
    expect(first.has('analog')).toBe(false);
    expect(first.get('analog', () => (runs++, value))).toEqual(value);
    expect(first.has('analog')).toBe(true);
    const later = demoParts(out, false);
    expect(later.get('analog', () => (runs++, { other: true }))).toEqual(value);
    expect(runs).toBe(1);
  });

  it('a fresh demo discards the parts there; finish() removes them', () => {
    const out = tempDir();
    demoParts(out, true).get('analog', () => 1);
    const fresh = demoParts(out, true);
    expect(fresh.has('analog')).toBe(false);
    expect(fresh.get('analog', () => 2)).toBe(2);
    fresh.finish();
    expect(existsSync(join(out, DEMO_PARTS_DIR))).toBe(false);
  });

  it('a corrupt part is an InputError naming the file', () => {
    const out = tempDir();
    const parts = demoParts(out, true);
    parts.get('analog', () => 1);
    const path = join(out, DEMO_PARTS_DIR, 'analog.json');
    writeFileSync(path, '{"rows": [');
    expect(() => demoParts(out, false).get('analog', () => 1)).toThrow(new InputError(`demo part '${path}' is not valid JSON: remove it to run that part again`));
  });
});
