// The package API from the sources (src/): used by the Node side of the test and by the source page.
import { init, tf, BACKEND_NAME } from '../../../src/index.js';
import { Rng, awgnComplex } from '../../../src/channel/index.js';
import { simulateBer } from '../../../src/sim/index.js';
import type { PackageApi } from './checks.js';

export const srcApi: PackageApi = { init, tf, BACKEND_NAME, Rng, awgnComplex, simulateBer };
