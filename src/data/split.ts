import { InputError } from '../errors.js';
import { SeededRandom } from '../random/seeded.js';
import { subset, type Dataset } from './dataset.js';

/**
 * The indices (ascending) of a seeded, class-stratified validation sample of `labels`:
 * round(fraction · n) samples in all, each class contributing its proportional share
 * fraction · n_c rounded by largest remainder (so within 1 of it), the members of each class
 * drawn uniformly at random. Deterministic for `seed`.
 */
export function validationIndices(labels: Int32Array, classes: number, fraction: number, seed: number): Int32Array {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) {
    throw new InputError(`validation fraction must be in [0, 1), got ${fraction}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new InputError(`validation seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!(c >= 0 && c < classes)) throw new InputError(`label ${c} of sample ${i} is outside 0..${classes - 1}`);
    byClass[c].push(i);
  }
  const exact = byClass.map((m) => fraction * m.length);
  const quota = exact.map(Math.floor);
  let left = Math.round(fraction * labels.length) - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => c).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const c of order) {
    if (left <= 0) break;
    if (quota[c] < byClass[c].length) {
      quota[c]++;
      left--;
    }
  }
  const rng = new SeededRandom(seed);
  const picked: number[] = [];
  byClass.forEach((members, c) => {
    const perm = rng.permutation(members.length);
    for (let j = 0; j < quota[c]; j++) picked.push(members[perm[j]]);
  });
  return Int32Array.from(picked).sort();
}

/**
 * Holds out a seeded, class-stratified validation split from a training set (see
 * `validationIndices`): both parts keep the original sample order. Same seed → same split.
 * Keep the test set for final tables only.
 */
export function splitValidation(train: Dataset, fraction: number, seed: number): { train: Dataset; validation: Dataset } {
  const held = validationIndices(train.labels, train.classes, fraction, seed);
  const inValidation = new Uint8Array(train.n);
  for (const i of held) inValidation[i] = 1;
  const rest = new Int32Array(train.n - held.length);
  for (let i = 0, k = 0; i < train.n; i++) if (!inValidation[i]) rest[k++] = i;
  return { train: subset(train, rest), validation: subset(train, held) };
}
