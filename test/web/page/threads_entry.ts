// Page script for the browser-threads check (threads_check.ts), built from the sources. A page
// of its own: init() decides the thread count once per JS context. Exposes `globalThis.wmoeWeb`.
import { init, tf } from '../../../src/index.js';
import { threadsCheck } from './threads_check.js';

const api = { threadsCheck: () => threadsCheck(init, tf) };
export type ThreadsWebApi = typeof api;

(globalThis as unknown as { wmoeWeb: ThreadsWebApi }).wmoeWeb = api;
