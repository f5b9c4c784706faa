import { init, tf } from '../backend/init.js';

/** The backends `--backend` accepts. */
export const BACKENDS = ['wmoe', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Makes `name` the current tfjs backend (loading the WASM module for `wmoe`). */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wmoe') await init();
  else await tf.setBackend('cpu');
}
