import { describe, expect, it } from 'vitest';
import { expandQc } from '../../src/codes/qc.js';
import { errorOf } from './parity.js';

describe('expandQc', () => {
  it('places shift s of row r at column (r + s) mod Z, columns ascending', () => {
    // [ 1 -1  0 ]
    // [ 2  0 -1 ]  with Z = 3
    const h = expandQc({ rows: 2, cols: 3, z: 3, shifts: Int32Array.from([1, -1, 0, 2, 0, -1]) });
    expect(h.n).toBe(9);
    expect(h.m).toBe(6);
    const rows: number[][] = [];
    for (let r = 0; r < h.m; r++) rows.push(Array.from(h.colIdx.subarray(h.rowPtr[r], h.rowPtr[r + 1])));
    expect(rows).toEqual([
      [1, 6],
      [2, 7],
      [0, 8],
      [2, 3],
      [0, 4],
      [1, 5],
    ]);
  });

  it('rejects bad shifts and sizes with one-line errors', () => {
    expect(errorOf(() => expandQc({ rows: 1, cols: 2, z: 4, shifts: Int32Array.from([4, 0]) }))).toBe(
      'expandQc: shift 4 at block (0, 0) is not -1 or in 0..3',
    );
    expect(errorOf(() => expandQc({ rows: 1, cols: 2, z: 0, shifts: Int32Array.from([0, 0]) }))).toMatch(/Z = 0/);
    expect(errorOf(() => expandQc({ rows: 2, cols: 2, z: 4, shifts: Int32Array.from([0, 0]) }))).toMatch(
      /2 shifts for a 2 x 2 prototype/,
    );
  });
});
