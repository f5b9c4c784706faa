// Page script built from the published bundles: `wireless-moe` and `wireless-moe/channel`
// resolve through package.json "exports" to dist/index.mjs and dist/channel.mjs (made by
// `npm run build`), with @tensorflow/tfjs-core from node_modules. The sim module is not a
// published entry, so this page has no berCheck. Exposes the checks on `globalThis.wmoeWeb`.
import { init, tf, BACKEND_NAME } from 'wireless-moe';
import { Rng, awgnComplex } from 'wireless-moe/channel';
import { checksFor } from './checks.js';

const { convCheck, rngCheck } = checksFor({ init, tf, BACKEND_NAME, Rng, awgnComplex });
const api = { convCheck, rngCheck };
export type DistWebApi = typeof api;

(globalThis as unknown as { wmoeWeb: DistWebApi }).wmoeWeb = api;
