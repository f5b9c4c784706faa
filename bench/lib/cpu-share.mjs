// How much of the machine's CPU other processes took while a bench measured, from Linux's
// counters: /proc/stat (all CPU time, by kind) minus this process's own time and that of the
// children it waited for (/proc/self/stat). Unlike the load average, it leaves out niced
// processes (a `nice -n 19` job takes a core only when nobody else wants it, so it hardly slows a
// measurement, yet it adds 1 to the load average), and it leaves out the bench itself.
// No imports of the package: tests import this file directly.
import { readFileSync } from 'node:fs';

/** Kinds of /proc/stat CPU time that count as busy at normal priority (nice is apart, idle and iowait are idle). */
const BUSY = ['user', 'system', 'irq', 'softirq', 'steal'];
const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

/** /proc/stat's aggregate "cpu" line → { user, nice, system, idle, iowait, irq, softirq, steal } in ticks. */
export function parseProcStat(text) {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('cpu-share: no aggregate cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(FIELDS.map((f, i) => [f, v[i] ?? 0]));
}

/** /proc/<pid>/stat → this process's utime + stime + cutime + cstime, in ticks (fields 14–17, after the command name). */
export function parseSelfTicks(text) {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): fields 14–17 are rest[11..14]
  return Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
}

/** A snapshot of the counters: `{ cpu: parseProcStat's, mine: ticks }`, or null where /proc is missing. */
export function cpuSnapshot() {
  try {
    return { cpu: parseProcStat(readFileSync('/proc/stat', 'utf8')), mine: parseSelfTicks(readFileSync('/proc/self/stat', 'utf8')) };
  } catch {
    return null;
  }
}

/**
 * Between two snapshots: `{ othersShare, niceShare, ticks }`: the CPU time other processes spent
 * busy at normal priority (not niced), and the niced time, each as a share of all the machine's
 * CPU time in the interval (1 = every core busy throughout); null when a snapshot is missing or
 * no time passed.
 */
export function othersCpu(a, b) {
  if (!a || !b) return null;
  const d = (f) => b.cpu[f] - a.cpu[f];
  const total = FIELDS.reduce((s, f) => s + d(f), 0);
  if (total <= 0) return null;
  const busy = BUSY.reduce((s, f) => s + d(f), 0);
  const others = Math.max(0, busy - (b.mine - a.mine));
  return { othersShare: others / total, niceShare: d('nice') / total, ticks: total };
}
