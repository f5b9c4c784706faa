// What fills the unused information bits of a vector's last codeword. A constant fill is harmless for
// BPSK and QPSK (every symbol has the same energy and the decoders are symmetric, so the error rate
// does not depend on the codeword), but under 16- and 64-QAM long runs of zeros map to the
// low-energy inner points of the Gray mapping (3GPP order: bit 0 of the amplitude bits selects the
// inner level), and a half-padded codeword then fails far more often than the PHY abstraction,
// measured on random codewords, predicts. Those modulations therefore pad with the IEEE 802.11
// scrambler sequence (x⁷ + x⁴ + 1, all-ones seed; period 127), known to the receiver.

/** The IEEE 802.11 scrambler's output for the all-ones seed: bit i of `count` (0/1 bytes). */
export function scramblerSequence(count: number): Uint8Array {
  const out = new Uint8Array(count);
  let state = 0x7f; // x1..x7 all ones
  for (let i = 0; i < count; i++) {
    const bit = ((state >> 6) ^ (state >> 3)) & 1; // x7 ⊕ x4
    out[i] = bit;
    state = ((state << 1) | bit) & 0x7f;
  }
  return out;
}

/**
 * The padding of a codec whose modulation carries `bitsPerSymbol` bits per symbol: null (zeros)
 * for BPSK and QPSK, else the scrambler sequence over `k` bits (the padding of a vector takes the
 * sequence's bits at the padded positions of its last codeword).
 */
export function paddingPattern(bitsPerSymbol: number, k: number): Uint8Array | null {
  return bitsPerSymbol > 2 ? scramblerSequence(k) : null;
}
