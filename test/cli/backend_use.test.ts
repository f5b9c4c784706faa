// useBackend hands --threads and --spin to init (mocked here: a process loads wmoe only once).
import { describe, expect, it, vi } from 'vitest';

const calls: unknown[] = [];
vi.mock('../../src/backend/init.js', () => ({
  init: async (options: unknown) => {
    calls.push(options);
    return { nn: { threads: 2 } };
  },
  tf: {},
}));

describe('useBackend', () => {
  it("passes threads and spin to init({ threads, spin })", async () => {
    const { useBackend } = await import('../../src/cli/backend.js');
    await useBackend('wmoe', 2, 500);
    await useBackend('wmoe', 1);
    expect(calls).toEqual([{ threads: 2, spin: 500 }, { threads: 1, spin: undefined }]);
  });
});
