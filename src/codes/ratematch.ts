/**
 * 3GPP TS 38.212 §5.4.2 LDPC rate matching, simplified:
 *  - the first 2·Z systematic bits of the mother codeword are never transmitted (§5.3.2: d_k = c_{k+2Z});
 *  - the circular buffer is the whole remaining codeword, N_cb = N = 66·Z (BG1) or 50·Z (BG2)
 *    (no limited-buffer rate matching, I_LBRM = 0);
 *  - redundancy version rv = 0, so k0 = 0;
 *  - no filler bits (the information length is the full kb·Z, K' = K);
 *  - no bit interleaving (§5.4.2.2 is left to the modulator) and a single code block.
 * The E output bits are e_j = d_{j mod N_cb}, j = 0..E−1: E < N_cb punctures the tail of the buffer (last
 * parity bits), E > N_cb repeats it from the start.
 */

/** Circular-buffer length N_cb = (cols − 2)·Z bits of the mother code with `cols` block columns. */
export function nrCircularBufferLength(cols: number, z: number): number {
  return (cols - 2) * z;
}

function checkE(e: number): void {
  if (!Number.isInteger(e) || e < 1) throw new Error(`nrRateMatch: E = ${e} must be a positive integer number of bits`);
}

/**
 * Mother-code positions of the E transmitted bits: transmitted bit j carries mother bit
 * 2Z + (j mod N_cb). Length E, values in 2Z .. cols·Z − 1.
 */
export function nrTransmittedPositions(cols: number, z: number, e: number): Int32Array {
  checkE(e);
  const ncb = nrCircularBufferLength(cols, z);
  const out = new Int32Array(e);
  for (let j = 0, p = 0; j < e; j++) {
    out[j] = 2 * z + p;
    if (++p === ncb) p = 0;
  }
  return out;
}

/**
 * Rate-matches a mother codeword (cols·Z bits, 0/1) to E transmitted bits (rv = 0, see the file note).
 * Returns a new Uint8Array of length E.
 */
export function nrRateMatch(codeword: Uint8Array, cols: number, z: number, e: number): Uint8Array {
  if (codeword.length !== cols * z) {
    throw new Error(`nrRateMatch: codeword has ${codeword.length} bits, expected ${cols}·${z} = ${cols * z}`);
  }
  checkE(e);
  const ncb = nrCircularBufferLength(cols, z);
  const out = new Uint8Array(e);
  for (let j = 0; j < e; j += ncb) out.set(codeword.subarray(2 * z, 2 * z + Math.min(ncb, e - j)), j);
  return out;
}

/**
 * Receiver side: maps E LLRs (log P(0)/P(1), E = llr.length) back to the cols·Z mother-code positions.
 * Punctured positions (the first 2Z systematic bits and the untransmitted tail) get LLR 0; repeated
 * positions get the sum of their LLRs. Returns a new Float32Array of length cols·Z.
 */
export function nrRateRecover(llr: Float32Array, cols: number, z: number): Float32Array {
  checkE(llr.length);
  const ncb = nrCircularBufferLength(cols, z);
  const out = new Float32Array(cols * z);
  const d = out.subarray(2 * z);
  const e = llr.length;
  for (let j = 0, p = 0; j < e; j++) {
    d[p] += llr[j];
    if (++p === ncb) p = 0;
  }
  return out;
}
