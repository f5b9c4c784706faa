import { describe, expect, it } from 'vitest';
import { ARROW_PX, boundMarkerSvg, roomForArrows } from '../../src/plot/bound_marker.js';

describe('boundMarkerSvg', () => {
  it('a 16 px bar centred at (cx, cy) and an arrow whose tip is ARROW_PX below it', () => {
    const svg = boundMarkerSvg(100, 50, '#333');
    expect(svg).toMatch(/^<path d="M92\.0,50\.0 H108\.0 M100\.0,50\.0 V/);
    const tip = /L100\.0,([\d.]+) Z"/.exec(svg);
    expect(Number(tip![1])).toBe(50 + ARROW_PX);
  });
});

describe('roomForArrows', () => {
  /** Px below the marker at `v` inside a plot `h` px tall showing log range r. */
  const below = (r: { lo: number; hi: number }, v: number, h: number) => ((Math.log10(v) - Math.log10(r.lo)) / (Math.log10(r.hi) - Math.log10(r.lo))) * h;

  it('lowers the bottom until the arrow (+6 px) fits below the lowest marker, keeping the top', () => {
    const r = roomForArrows({ lo: 1e-3, hi: 1 }, 1.2e-3, 300);
    expect(r.hi).toBe(1);
    expect(r.lo).toBeLessThan(1e-3);
    expect(below(r, 1.2e-3, 300)).toBeCloseTo(ARROW_PX + 6, 6);
  });

  it('leaves a range that already has the room alone', () => {
    const r = { lo: 1e-4, hi: 1 };
    expect(roomForArrows(r, 1e-2, 300)).toBe(r);
  });
});
