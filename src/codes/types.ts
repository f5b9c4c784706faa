/**
 * Shared types of the LDPC library. Nothing here imports tfjs.
 */

/** A binary parity-check matrix H (m checks x n bits) in compressed sparse row form. */
export interface ParityCheckMatrix {
  /** Codeword length in bits (columns of H). */
  n: number;
  /** Number of parity checks (rows of H). */
  m: number;
  /** Row r's ones are at columns colIdx[rowPtr[r] .. rowPtr[r+1]-1], ascending. Length m+1. */
  rowPtr: Int32Array;
  colIdx: Int32Array;
}

/** Decoder choice and limits. LLRs are log(P(bit=0)/P(bit=1)): positive favours 0. */
export interface DecodeOptions {
  /** 'nms' layered normalised min-sum (default), 'oms' layered offset min-sum, 'spa' flooding sum-product. */
  algorithm?: 'nms' | 'oms' | 'spa';
  /** Maximum number of iterations (default 10 for min-sum, 50 for spa). */
  iterations?: number;
  /** Stop as soon as the hard decisions satisfy every check (default true). */
  earlyStop?: boolean;
  /** Normalisation factor for 'nms' (default 0.75). */
  factor?: number;
  /** Offset for 'oms', in LLR units (default 0.5). */
  offset?: number;
}

/** One decoded frame. */
export interface DecodeResult {
  /** The k information bits (hard decisions), 0/1. Returned even when not converged. */
  bits: Uint8Array;
  /** Iterations run. */
  iterations: number;
  /** True when the final hard decisions satisfy H·c = 0. */
  converged: boolean;
}

/** Many decoded frames, frame-major. */
export interface BatchDecodeResult {
  /** frames x k information bits. */
  bits: Uint8Array;
  /** Iterations run, per frame. */
  iterations: Int32Array;
  /** 1 where the frame's hard decisions satisfy H·c = 0, per frame. */
  converged: Uint8Array;
}
