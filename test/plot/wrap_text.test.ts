import { describe, expect, it } from 'vitest';
import { textWidth, wrapText } from '../../src/plot/wrap_text.js';

describe('wrapText', () => {
  it('breaks at spaces into lines of at most maxChars, keeping every word in order', () => {
    const text = 'No frame error in 400 frames at 3 dB: the arrow marks the one-sided 95 % upper bound.';
    const lines = wrapText(text, 20);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(20);
    expect(lines.join(' ')).toBe(text);
    expect(lines).toEqual(['No frame error in', '400 frames at 3 dB:', 'the arrow marks the', 'one-sided 95 % upper', 'bound.']);
  });

  it('a word longer than the line gets a line of its own; whitespace runs count as one space', () => {
    expect(wrapText('a  verylongword b', 4)).toEqual(['a', 'verylongword', 'b']);
    expect(wrapText('   ', 10)).toEqual([]);
    expect(() => wrapText('x', 0)).toThrow(/maxChars/);
  });

  it('textWidth grows with the characters (code points) and the font size', () => {
    expect(textWidth('10⁻³', 12)).toBeCloseTo(4 * 0.56 * 12, 9);
    expect(textWidth('abcd', 24)).toBe(2 * textWidth('abcd', 12));
  });
});
