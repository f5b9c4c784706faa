// bench/lib/cpu-share.mjs: the CPU other processes took during a measurement, from /proc/stat
// minus the bench's own time (and its waited-for children's), with niced time kept apart.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helper without type declarations
import { othersCpu, parseProcStat, parseSelfTicks } from '../../bench/lib/cpu-share.mjs';

const stat = (user: number, nice: number, system: number, idle: number) =>
  `cpu  ${user} ${nice} ${system} ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4 0 0 0 0 0 0\nintr 1 2 3\n`;
// field 2 may hold spaces and parentheses; fields 14-17 (utime stime cutime cstime) are 10 20 30 40
const SELF = '4242 (node (bench) x) R 1 2 3 4 5 6 7 8 9 10 10 20 30 40 20 0 1 0';

describe('cpu-share', () => {
  it('reads the aggregate cpu line and this process with its children', () => {
    expect(parseProcStat(stat(100, 50, 20, 830))).toMatchObject({ user: 100, nice: 50, system: 20, idle: 830, steal: 0 });
    expect(parseSelfTicks(SELF)).toBe(100);
  });

  it("counts others' un-niced busy time as a share of all CPU time, leaving out the bench and niced jobs", () => {
    const a = { cpu: parseProcStat(stat(0, 0, 0, 0)), mine: 0 };
    // 400 ticks (2 cores x 2 s): the bench 150 (user+system), others 50, a niced job 100, idle 100
    const b = { cpu: parseProcStat(stat(180, 100, 20, 100)), mine: 150 };
    const r = othersCpu(a, b);
    expect(r.ticks).toBe(400);
    expect(r.othersShare).toBeCloseTo(50 / 400, 12);
    expect(r.niceShare).toBeCloseTo(100 / 400, 12);
    expect(othersCpu(null, b)).toBeNull();
  });
});
