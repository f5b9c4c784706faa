// A demo's comparisons, after training, run in parts: the perfect and analog rows with the
// accuracy-vs-SNR curves, then each digital link (its stage 2, its checkpoint and its rows). They
// take long on a big model, so each part's result is saved under DIR/demo-parts/ as it finishes,
// and `demo --resume` after a stop runs only the parts not done yet. A part's result does not
// depend on the parts run before it in the same process (each is seeded on its own, and each
// digital stage 2 starts its gate afresh), so the comparison is the same either way. The folder
// is removed once comparison.json is written.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';

/** The folder of a demo's --out that holds the comparison parts finished so far. */
export const DEMO_PARTS_DIR = 'demo-parts';

/** The finished parts of the demo in `out`; `fresh`: a new demo, whose parts start from none (any there are discarded). */
export function demoParts(out: string, fresh: boolean) {
  const dir = join(out, DEMO_PARTS_DIR);
  if (fresh) rmSync(dir, { recursive: true, force: true });
  const pathOf = (name: string) => join(dir, `${name}.json`);
  return {
    /** Whether part `name` was finished (by this session or an earlier one). */
    has(name: string): boolean {
      return existsSync(pathOf(name));
    },
    /** Part `name`'s saved result: from the file an earlier session wrote, or `compute()`'s, then saved (atomically). */
    get<T>(name: string, compute: () => T): T {
      const path = pathOf(name);
      if (existsSync(path)) {
        try {
          return JSON.parse(readFileSync(path, 'utf8')) as T;
        } catch {
          throw new InputError(`demo part '${path}' is not valid JSON: remove it to run that part again`);
        }
      }
      const result = compute();
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(result));
      renameSync(`${path}.tmp`, path);
      return result;
    },
    /** Removes the parts, once the comparison they make up is written. */
    finish(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
