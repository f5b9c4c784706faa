// Top-k along the last axis of a row-major float32 matrix [rows, n], in tfjs's order: values
// descending, ties by lower index first. NaN ordering is unspecified.

/** Below this k, rows are scanned once keeping a sorted list of k (O(n·k)); above, merge sort. */
const INSERTION_MAX_K: i32 = 24;

/**
 * vals[r, :k], idx[r, :k] = the k largest entries of x[r, :] and their indices, sorted.
 * x: [rows, n] f32; vals: [rows, k] f32; idx: [rows, k] i32; scratch: 2·n i32 (used when
 * k > 24). Requires 0 ≤ k ≤ n.
 */
export function topK(x: usize, vals: usize, idx: usize, rows: i32, n: i32, k: i32, scratch: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * n) << 2);
    const vr = vals + (<usize>(r * k) << 2);
    const ir = idx + (<usize>(r * k) << 2);
    if (k <= INSERTION_MAX_K) topKInsertion(xr, vr, ir, n, k);
    else topKSort(xr, vr, ir, n, k, scratch);
  }
}

function topKInsertion(x: usize, vals: usize, idx: usize, n: i32, k: i32): void {
  if (k == 0) return;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    let j: i32;
    if (count < k) {
      j = count++;
    } else {
      if (!(v > load<f32>(vals + (<usize>(k - 1) << 2)))) continue;
      j = k - 1;
    }
    // Shift smaller entries down; strict > keeps earlier indices ahead on ties.
    while (j > 0 && v > load<f32>(vals + (<usize>(j - 1) << 2))) {
      store<f32>(vals + (<usize>j << 2), load<f32>(vals + (<usize>(j - 1) << 2)));
      store<i32>(idx + (<usize>j << 2), load<i32>(idx + (<usize>(j - 1) << 2)));
      j--;
    }
    store<f32>(vals + (<usize>j << 2), v);
    store<i32>(idx + (<usize>j << 2), i);
  }
}

/** Stable bottom-up merge sort of the indices 0..n-1 by value, descending; keeps the first k. */
function topKSort(x: usize, vals: usize, idx: usize, n: i32, k: i32, scratch: usize): void {
  let src = scratch;
  let dst = scratch + (<usize>n << 2);
  for (let i = 0; i < n; i++) store<i32>(src + (<usize>i << 2), i);
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n), hi = min(lo + (width << 1), n);
      let a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        const ia = load<i32>(src + (<usize>a << 2)), ib = load<i32>(src + (<usize>b << 2));
        // Take from the right run only if strictly larger: equal values keep index order.
        if (load<f32>(x + (<usize>ib << 2)) > load<f32>(x + (<usize>ia << 2))) {
          store<i32>(dst + (<usize>o << 2), ib); b++;
        } else {
          store<i32>(dst + (<usize>o << 2), ia); a++;
        }
        o++;
      }
      for (; a < mid; a++, o++) store<i32>(dst + (<usize>o << 2), load<i32>(src + (<usize>a << 2)));
      for (; b < hi; b++, o++) store<i32>(dst + (<usize>o << 2), load<i32>(src + (<usize>b << 2)));
    }
    const t = src; src = dst; dst = t;
  }
  for (let i = 0; i < k; i++) {
    const j = load<i32>(src + (<usize>i << 2));
    store<i32>(idx + (<usize>i << 2), j);
    store<f32>(vals + (<usize>i << 2), load<f32>(x + (<usize>j << 2)));
  }
}
