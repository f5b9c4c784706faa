/**
 * Parser for D. J. C. MacKay's "alist" sparse binary matrix format.
 *
 * Layout (after dropping blank lines and `#` comment lines):
 *   line 1: n m                       (columns = code bits, rows = checks)
 *   line 2: maxColDegree maxRowDegree
 *   line 3: n column degrees
 *   line 4: m row degrees
 *   next n lines: the 1-based row indices of each column (0 = padding, allowed only after the entries)
 *   next m lines: the 1-based column indices of each row (0 = padding, allowed only after the entries)
 * Both halves must describe the same matrix.
 */
import type { ParityCheckMatrix } from './types.js';
import { fail } from '../errors.js';

interface Line {
  no: number; // 1-based line number in the original text
  tokens: string[];
}

function parseIntToken(tok: string, where: string): number {
  if (!/^-?\d+$/.test(tok)) fail(`alist: ${where}: '${tok}' is not an integer`);
  return Number(tok);
}

function ints(line: Line, what: string): number[] {
  return line.tokens.map((t) => parseIntToken(t, `line ${line.no} (${what})`));
}

/**
 * Reads an alist text into a parity-check matrix H (m checks x n bits, CSR with ascending columns).
 * Throws a one-line `alist: ...` error naming the line and value for malformed or inconsistent files
 * (wrong counts, degree lists that disagree with the entries, indices out of range, duplicates, column
 * and row halves that describe different matrices, trailing content).
 */
export function parseAlist(text: string): ParityCheckMatrix {
  if (typeof text !== 'string') fail(`alist: expected the alist text as a string, got ${typeof text}`);
  const lines = contentLines(text);
  const { n, m, colDeg, rowDeg } = readHeader(lines);
  const need = 4 + n + m;
  if (lines.length < need) {
    fail(`alist: ${lines.length - 4} entry lines, expected n + m = ${n + m} (file truncated?)`);
  }
  if (lines.length > need) fail(`alist: line ${lines[need].no}: unexpected trailing content after ${n} column and ${m} row lines`);
  const cols = readHalf(lines, 4, n, colDeg, m, 'column', 'row');
  const rows = readHalf(lines, 4 + n, m, rowDeg, n, 'row', 'column');
  // CSR from the row half (sorted); the column half must describe the same matrix.
  for (let r = 0; r < m; r++) rows.idx.subarray(rows.ptr[r], rows.ptr[r + 1]).sort();
  checkSameMatrix(n, m, rows, cols, colDeg);
  return { n, m, rowPtr: rows.ptr, colIdx: rows.idx };
}

/** The lines that carry content (blank and `#` comment lines dropped), split into tokens. */
function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  const raw = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i].trim();
    if (s === '' || s.startsWith('#')) continue;
    lines.push({ no: i + 1, tokens: s.split(/\s+/) });
  }
  return lines;
}

/** The four header lines: sizes and degree lists, checked against each other. */
function readHeader(lines: Line[]): { n: number; m: number; colDeg: number[]; rowDeg: number[] } {
  if (lines.length < 4) fail(`alist: only ${lines.length} non-empty lines, need at least 4 header lines`);
  const head = ints(lines[0], 'n m');
  if (head.length !== 2) fail(`alist: line ${lines[0].no}: expected 'n m', got ${head.length} numbers`);
  const [n, m] = head;
  if (!(n >= 1)) fail(`alist: line ${lines[0].no}: n = ${n} must be >= 1`);
  if (!(m >= 1)) fail(`alist: line ${lines[0].no}: m = ${m} must be >= 1`);
  const maxes = ints(lines[1], 'max degrees');
  if (maxes.length !== 2) fail(`alist: line ${lines[1].no}: expected 'maxColDegree maxRowDegree', got ${maxes.length} numbers`);
  const [maxCol, maxRow] = maxes;
  const colDeg = ints(lines[2], 'column degrees');
  if (colDeg.length !== n) fail(`alist: line ${lines[2].no}: ${colDeg.length} column degrees, expected n = ${n}`);
  const rowDeg = ints(lines[3], 'row degrees');
  if (rowDeg.length !== m) fail(`alist: line ${lines[3].no}: ${rowDeg.length} row degrees, expected m = ${m}`);
  const col = degreeTotals(colDeg, m, lines[2], 'column');
  const row = degreeTotals(rowDeg, n, lines[3], 'row');
  if (col.max !== maxCol) fail(`alist: line ${lines[1].no}: max column degree ${maxCol} but the largest listed is ${col.max}`);
  if (row.max !== maxRow) fail(`alist: line ${lines[1].no}: max row degree ${maxRow} but the largest listed is ${row.max}`);
  if (col.sum !== row.sum) fail(`alist: column degrees sum to ${col.sum} but row degrees sum to ${row.sum}`);
  return { n, m, colDeg, rowDeg };
}

/** Sum and largest of a degree list whose degrees must lie in 0..limit (`what`: column or row). */
function degreeTotals(degs: number[], limit: number, line: Line, what: string): { sum: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < degs.length; i++) {
    const d = degs[i];
    if (d < 0 || d > limit) fail(`alist: line ${line.no}: ${what} ${i + 1} degree ${d} out of range 0..${limit}`);
    sum += d;
    if (d > max) max = d;
  }
  return { sum, max };
}

/** One half of the file, lines first … first+count−1: `count` lists whose entries index 1..range, as 0-based CSR. */
function readHalf(
  lines: Line[], first: number, count: number, degs: number[], range: number, what: string, other: string,
): { ptr: Int32Array; idx: Int32Array } {
  const ptr = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) ptr[i + 1] = ptr[i] + degs[i];
  const idx = new Int32Array(ptr[count]);
  const seen = new Int32Array(range + 1).fill(-1);
  for (let i = 0; i < count; i++) {
    const line = lines[first + i];
    const vals = ints(line, `${what} ${i + 1}`);
    let k = 0;
    let padded = false;
    for (const v of vals) {
      if (v === 0) {
        padded = true;
        continue;
      }
      if (padded) fail(`alist: line ${line.no}: ${what} ${i + 1} has entry ${v} after a 0 padding entry`);
      if (v < 1 || v > range) fail(`alist: line ${line.no}: ${what} ${i + 1} has ${other} index ${v} out of range 1..${range}`);
      if (seen[v] === i) fail(`alist: line ${line.no}: ${what} ${i + 1} lists ${other} ${v} twice`);
      seen[v] = i;
      if (k >= degs[i]) fail(`alist: line ${line.no}: ${what} ${i + 1} has more than its degree ${degs[i]} entries`);
      idx[ptr[i] + k++] = v - 1;
    }
    if (k !== degs[i]) fail(`alist: line ${line.no}: ${what} ${i + 1} has ${k} entries but its degree is ${degs[i]}`);
  }
  return { ptr, idx };
}

/** Checks that the transpose of the row half equals the column half (as sets), naming the first difference. */
function checkSameMatrix(
  n: number, m: number, rows: { ptr: Int32Array; idx: Int32Array }, cols: { ptr: Int32Array; idx: Int32Array }, colDeg: number[],
): void {
  const { ptr: rowPtr, idx: colIdx } = rows;
  const cnt = new Int32Array(n);
  for (let e = 0; e < colIdx.length; e++) cnt[colIdx[e]]++;
  for (let j = 0; j < n; j++) {
    if (cnt[j] !== colDeg[j]) {
      fail(`alist: column ${j + 1} has degree ${colDeg[j]} but appears in ${cnt[j]} row lists`);
    }
  }
  const mark = new Int32Array(m).fill(-1);
  const tPtr = cols.ptr;
  // For each column j, mark its rows from the column half, then walk the rows that list j.
  const rowsOfCol = new Int32Array(colIdx.length);
  const fillPos = tPtr.slice(0, n);
  for (let r = 0; r < m; r++) {
    for (let e = rowPtr[r]; e < rowPtr[r + 1]; e++) rowsOfCol[fillPos[colIdx[e]]++] = r;
  }
  for (let j = 0; j < n; j++) {
    for (let e = tPtr[j]; e < tPtr[j + 1]; e++) mark[cols.idx[e]] = j;
    for (let e = tPtr[j]; e < tPtr[j + 1]; e++) {
      const r = rowsOfCol[e];
      if (mark[r] !== j) fail(`alist: row ${r + 1} lists column ${j + 1} but column ${j + 1} does not list row ${r + 1}`);
    }
  }
}

/**
 * Writes H in alist format (no padding zeros), e.g. to export an expanded QC code.
 * `parseAlist(toAlist(h))` reproduces `h`.
 */
export function toAlist(h: ParityCheckMatrix): string {
  const { n, m, rowPtr, colIdx } = h;
  const colDeg = new Int32Array(n);
  for (let e = 0; e < colIdx.length; e++) colDeg[colIdx[e]]++;
  const colLists: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < m; r++) for (let e = rowPtr[r]; e < rowPtr[r + 1]; e++) colLists[colIdx[e]].push(r + 1);
  const rowDeg = Array.from({ length: m }, (_, r) => rowPtr[r + 1] - rowPtr[r]);
  const out: string[] = [];
  out.push(`${n} ${m}`);
  out.push(`${Math.max(0, ...colDeg)} ${Math.max(0, ...rowDeg)}`);
  out.push(Array.from(colDeg).join(' '));
  out.push(rowDeg.join(' '));
  for (const l of colLists) out.push(l.length ? l.join(' ') : '0');
  for (let r = 0; r < m; r++) {
    const l = Array.from(colIdx.subarray(rowPtr[r], rowPtr[r + 1]), (c) => c + 1);
    out.push(l.length ? l.join(' ') : '0');
  }
  return out.join('\n') + '\n';
}
