// The code a pool worker runs, as plain JavaScript source text: it is started from a string
// (Node: `new Worker(code, { eval: true })`; browsers: a Blob URL), so that it needs no file
// next to the bundle and survives any bundler. Keep it ES2017 and free of imports.
//
// Protocol: one job block (a SharedArrayBuffer, layout below) shared by the main thread and all
// workers. A job is one WASM export called on `chunks` chunks of its work; chunk i gets the
// arguments base[j] + i·stride[j], except argument COUNT_INDEX (a row or column count), which
// gets min(per, total − i·per). Threads take chunks by Atomics.add on NEXT until it passes
// CHUNKS, so a thread that starts late (descheduled on a busy machine) just takes fewer.
//   Main thread: write OP, NARGS, … and the arguments; store NEXT = 0, then SEATS = active − 1;
//   bump SEQ and notify; take chunks itself; then close the job (NEXT = CLOSED, SEATS = 0) and
//   wait until ACTIVE = 0. A worker takes a seat only after ACTIVE += 1, so every seat holder of
//   a job has left before the next job opens its seats: at most active − 1 workers run a job.
//   Worker: wait for SEQ to change (spin a little, then Atomics.wait); ACTIVE += 1; take a seat
//   (SEATS −= 1; none left: skip the job); take chunks (reading the job only after its first
//   successful claim, so it never reads a job being written); ACTIVE −= 1 and notify.
// The worker instantiates the same compiled module over the same shared memory and points its
// GEMM edge scratch at its own bytes (gemmSetScratch) before reporting 'ready'.

/** i32 indices in the job block. */
export const SEQ = 0;
export const NEXT = 1;
export const ACTIVE = 2;
export const EXIT = 3;
export const OP = 4;
export const NARGS = 5;
export const CHUNKS = 6;
export const COUNT_INDEX = 7;
export const COUNT_TOTAL = 8;
export const COUNT_PER = 9;
export const ERR = 10;
export const ERRLEN = 11;
/** Chunks run by workers since the pool started (a diagnostic: how much the workers took). */
export const WORKER_CHUNKS = 12;
/**
 * Workers that may still join the open job (the pool's active threads − 1; 0 between jobs): a
 * worker joins only if its Atomics.sub leaves a positive count, which makes `active` a hard limit.
 */
export const SEATS = 13;
/** A second argument that gets the same count as COUNT_INDEX (−1: none). */
export const COUNT_ALSO = 14;
/** Workers that ran at least one chunk of the current job (a diagnostic). */
export const JOINED = 15;
/** NEXT of a closed job: no claim can succeed (workers add at most a few to it). */
export const CLOSED = 1 << 30;
/** Byte offsets of the f64 base arguments and strides, their maximum count, the error message. */
export const ARGS_OFFSET = 64;
export const MAX_ARGS = 20;
export const STRIDES_OFFSET = ARGS_OFFSET + 8 * MAX_ARGS;
export const MSG_OFFSET = STRIDES_OFFSET + 8 * MAX_ARGS;
export const MSG_CHARS = 96;
/** Bytes of the job block. */
export const JOB_BYTES = MSG_OFFSET + 2 * MSG_CHARS;

const body = `
function wmoeWorkerMain(data, post) {
  var ctl = new Int32Array(data.control, 0, ${ARGS_OFFSET / 4});
  var base = new Float64Array(data.control, ${ARGS_OFFSET}, ${MAX_ARGS});
  var stride = new Float64Array(data.control, ${STRIDES_OFFSET}, ${MAX_ARGS});
  var msg = new Uint16Array(data.control, ${MSG_OFFSET}, ${MSG_CHARS});
  var instance = new WebAssembly.Instance(data.module, { env: {
    memory: data.memory,
    abort: function (m, f, line, col) { throw new Error('WASM module aborted at ' + line + ':' + col); }
  } });
  var ex = instance.exports;
  ex.gemmSetScratch(data.scratch);
  var fns = data.names.map(function (n) { return ex[n]; });
  var args = [];
  post('ready');
  var seen = Atomics.load(ctl, ${SEQ});
  var spin = data.spin;
  for (;;) {
    var s = Atomics.load(ctl, ${SEQ});
    for (var i = 0; s === seen && i < spin; i++) s = Atomics.load(ctl, ${SEQ});
    while (s === seen) {
      Atomics.wait(ctl, ${SEQ}, seen);
      s = Atomics.load(ctl, ${SEQ});
    }
    seen = s;
    if (Atomics.load(ctl, ${EXIT}) !== 0) return;
    Atomics.add(ctl, ${ACTIVE}, 1);
    try {
      var chunk = Atomics.sub(ctl, ${SEATS}, 1) > 0 ? Atomics.add(ctl, ${NEXT}, 1) : ${CLOSED};
      var chunks = Atomics.load(ctl, ${CHUNKS});
      if (chunk < chunks) {
        Atomics.add(ctl, ${JOINED}, 1);
        var f = fns[ctl[${OP}]];
        var n = ctl[${NARGS}], ci = ctl[${COUNT_INDEX}], c2 = ctl[${COUNT_ALSO}], total = ctl[${COUNT_TOTAL}], per = ctl[${COUNT_PER}];
        args.length = n;
        for (; chunk < chunks; chunk = Atomics.add(ctl, ${NEXT}, 1)) {
          for (var j = 0; j < n; j++) args[j] = base[j] + chunk * stride[j];
          args[ci] = Math.min(per, total - chunk * per);
          if (c2 >= 0) args[c2] = args[ci];
          f.apply(null, args);
          Atomics.add(ctl, ${WORKER_CHUNKS}, 1);
        }
      }
    } catch (e) {
      if (Atomics.compareExchange(ctl, ${ERR}, 0, 1) === 0) {
        var text = String((e && e.message) || e).slice(0, ${MSG_CHARS});
        for (var k = 0; k < text.length; k++) msg[k] = text.charCodeAt(k);
        Atomics.store(ctl, ${ERRLEN}, text.length);
      }
      Atomics.store(ctl, ${NEXT}, ${CLOSED});
    }
    Atomics.sub(ctl, ${ACTIVE}, 1);
    Atomics.notify(ctl, ${ACTIVE});
  }
}
`;

/** Worker source for Node's worker_threads (run with `eval: true`; receives its setup by message). */
export const NODE_WORKER_SOURCE = `${body}
var parentPort = require('node:worker_threads').parentPort;
parentPort.once('message', function (data) {
  try { wmoeWorkerMain(data, function (m) { parentPort.postMessage(m); }); }
  catch (e) { parentPort.postMessage({ error: String((e && e.message) || e) }); }
});
`;

/** Worker source for browsers' Web Workers (a classic worker from a Blob URL). */
export const WEB_WORKER_SOURCE = `${body}
self.onmessage = function (ev) {
  self.onmessage = null;
  try { wmoeWorkerMain(ev.data, function (m) { self.postMessage(m); }); }
  catch (e) { self.postMessage({ error: String((e && e.message) || e) }); }
};
`;
