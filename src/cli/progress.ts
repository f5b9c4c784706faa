import type { ProgressEvent } from '../train/progress.js';

/**
 * A progress reporter for `wmoe train`: a live bar with loss and accuracy on a TTY, one line
 * per epoch otherwise. Writes to stderr so that stdout stays machine-readable.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (event: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  return (i) => {
    if (i.kind === 'phase') return;
    const acc = Number.isNaN(i.accuracy) ? '  -  ' : `${(i.accuracy * 100).toFixed(1)}%`;
    const head = `stage ${i.stage} epoch ${i.epoch}/${i.epochs}`;
    const done = i.step === i.steps;
    if (tty) {
      const width = 24;
      const fill = Math.round((i.step / i.steps) * width);
      stream.write(`\r${head} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${i.step}/${i.steps} loss ${i.loss.toFixed(4)} acc ${acc}\x1b[K`);
      if (done && !Number.isNaN(i.accuracy)) stream.write('\n');
    } else if (done && !Number.isNaN(i.accuracy)) {
      stream.write(`${head} loss ${i.loss.toFixed(4)} val acc ${acc}\n`);
    }
  };
}
