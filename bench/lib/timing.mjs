// Timing helpers shared by every bench (bench/*.mjs): the median, the median of round medians,
// and a snapshot of how busy the machine was (load average, uptime, CPU pressure), which every
// bench records with its results: on this shared 2-core host a figure means little without it.
// No imports of the package: test/bench/timing.test.ts imports this file directly.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, uptime } from 'node:os';

/**
 * The median of `xs` (any order; not modified): the middle value for an odd count, the mean of
 * the two middle values for an even count. Throws on an empty list or a non-finite value.
 */
export function median(xs) {
  if (!xs.length) throw new Error('median of an empty list');
  if (xs.some((x) => typeof x !== 'number' || Number.isNaN(x))) throw new Error(`median of a list with a non-number: ${xs.join(', ')}`);
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The median of each round's median (`rounds`: one list of times per round). */
export function medianOfRounds(rounds) {
  return median(rounds.map(median));
}

/** Linux CPU pressure ('some avg10=… avg60=…': % of time runnable tasks waited for a CPU), or null. */
export function cpuPressure() {
  try {
    return readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0];
  } catch {
    return null;
  }
}

/**
 * How busy the machine is now: `{ at, loadavg: [1, 5, 15 min], uptimeSeconds, cores, cpuPressure }`.
 * Record one before and one after a run (`{ start, end }`); a 1-minute load above the core
 * count means other processes competed for the cores while it ran.
 */
export function machineLoad() {
  return { at: new Date().toISOString(), loadavg: loadavg(), uptimeSeconds: Math.round(uptime()), cores: availableParallelism(), cpuPressure: cpuPressure() };
}

/** "load 1.09 0.98 0.80 (2 cores)" for a machineLoad() snapshot. */
export function formatLoad(snapshot) {
  return `load ${snapshot.loadavg.map((x) => x.toFixed(2)).join(' ')} (${snapshot.cores} cores)`;
}
