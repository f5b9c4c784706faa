// The layouts of assembly/nn/gemm.ts that callers allocate and split: packed B panels of NR
// columns ([ceil(n/NR)][k][NR] floats) and indirection tables of MR rows ([ceil(m/MR)][taps][MR]
// u32 byte addresses). Keep in step with MR and NR there.

/** Columns per packed panel of B. */
export const NR = 16;
/** Rows per micro-tile (and per indirection group). */
export const MR = 2;
/** Row tiles per cache block: gemmIndirect sweeps every panel of B once per block of MC_TILES·MR rows. */
export const MC_TILES = 36;

/** Bytes of a packed B with k rows and n columns. */
export function packedBytes(k: number, n: number): number {
  return Math.ceil(n / NR) * NR * k * 4;
}

/** Bytes of an indirection table for m rows and `taps` pointers per row. */
export function indirectionBytes(m: number, taps: number): number {
  return Math.ceil(Math.max(m, 1) / MR) * MR * taps * 4;
}
