// cos(2π·u) for an angle u in turns, in f64 arithmetic that gives the same bits on every engine
// (no Math.cos, whose last bits differ between engines): reduce to r = u − ⌊u + ½⌋ ∈ [−½, ½),
// then Taylor to degree 24 in x = 2πr (|x| ≤ π, error below 1e-13). assembly/channel/fading.ts
// evaluates the very same operations in the same order, so the WASM and TS paths agree bit for bit.

/** 2π as a double. */
export const TWO_PI = 6.283185307179586;

/** (−1)ᵏ/(2k)!, k = 0…12 (the same literals as assembly/channel/fading.ts). */
export const COS_COEFFS: readonly number[] = [
  1.0, -0.5, 0.041666666666666664, -0.0013888888888888889, 0.000024801587301587302,
  -2.7557319223985888e-7, 2.08767569878681e-9, -1.1470745597729725e-11, 4.7794773323873853e-14,
  -1.5619206968586225e-16, 4.1103176233121648e-19, -8.8967913924505741e-22, 1.6117375710961184e-24,
];

/** cos(2π·u), u in turns (any finite double); deterministic to the bit. */
export function cosTurns(u: number): number {
  const r = u - Math.floor(u + 0.5);
  const x = TWO_PI * r;
  const z = x * x;
  const c = COS_COEFFS;
  let p = c[12];
  for (let k = 11; k >= 0; k--) p = p * z + c[k];
  return p;
}
