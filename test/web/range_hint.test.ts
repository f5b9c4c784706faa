import { describe, expect, it } from 'vitest';
import { describeSnrRange } from '../../web/range_hint.js';
import { parseSnrRange } from '../../src/sim/range.js';

describe('describeSnrRange', () => {
  it('lists the points a start:step:stop range gives, as the sweep will read it', () => {
    const h = describeSnrRange('-10:5:20', 'x');
    expect(h.ok).toBe(true);
    expect(h.values).toEqual(parseSnrRange('-10:5:20'));
    expect(h.text).toBe('7 points: \u221210, \u22125, 0, 5, 10, …, 20 dB');
    expect(describeSnrRange('0:0.5:2', 'Eb/N0').text).toBe('5 points: 0, 0.5, 1, 1.5, 2 dB');
  });

  it('a comma list and a single value', () => {
    expect(describeSnrRange('1.5,2', 'Eb/N0').text).toBe('2 points: 1.5, 2 dB');
    expect(describeSnrRange('3', 'Eb/N0').text).toBe('1 point: 3 dB');
  });

  it('bad text: the parse error, naming the field', () => {
    const h = describeSnrRange('0:0:3', 'Eb/N0');
    expect(h.ok).toBe(false);
    expect(h.values).toEqual([]);
    expect(h.text).toBe("Eb/N0 '0:0:3': step must not be 0");
    expect(describeSnrRange('1:2', 'x').text).toMatch(/^x '1:2' must be start:step:stop/);
  });
});
