// init's `simd` option in this test run's engine (Node as vitest starts it, without
// --experimental-wasm-relaxed-simd; the relaxed build's own tests are simd_build.relaxed.test.ts):
// bad values, 'relaxed' where the engine lacks it, and 'plain', which loads the plain build.
import { describe, expect, test } from 'vitest';
import { init, simdBuildFor } from '../../src/backend/init.js';
import { hasWasmRelaxedSimd, hasWasmSimd } from '../../src/wasm/simd.js';
import { InputError } from '../../src/errors.js';

/** Node validates relaxed SIMD unflagged from version 22 on (V8 11.4+). */
const unflagged = Number(process.versions.node.split('.')[0]) >= 22;

describe('the relaxed-SIMD probe', () => {
  test('is a relaxed-SIMD module: rejected where only plain SIMD is enabled (Node 20), accepted from Node 22', () => {
    expect(hasWasmSimd()).toBe(true);
    expect(hasWasmRelaxedSimd()).toBe(unflagged);
  });
});

describe('init({ simd })', () => {
  test('rejects a value other than auto, relaxed or plain, naming it', async () => {
    await expect(init({ simd: 'fast' as never, setBackend: false })).rejects.toThrow(InputError);
    await expect(init({ simd: 'fast' as never, setBackend: false })).rejects.toThrow(/init: simd must be 'auto', 'relaxed' or 'plain', got fast/);
  });

  test.skipIf(unflagged)("'relaxed' in an engine without relaxed SIMD is an InputError saying how to get it", async () => {
    expect(() => simdBuildFor('relaxed')).toThrow(InputError);
    await expect(init({ simd: 'relaxed', setBackend: false })).rejects.toThrow(/--experimental-wasm-relaxed-simd/);
    expect(simdBuildFor('auto')).toBe('plain');
  });

  test("'plain' loads the plain build (also where the engine has relaxed SIMD), and keeps it", async () => {
    const backend = await init({ simd: 'plain', setBackend: false });
    expect(backend.nn.simd).toBe('plain');
    await expect(init({ setBackend: false })).resolves.toBe(backend);
    if (hasWasmRelaxedSimd()) {
      await expect(init({ simd: 'relaxed', setBackend: false })).rejects.toThrow(/already loaded with the plain build/);
    }
  });
});
