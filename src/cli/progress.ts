// Progress for long training runs: a bar on a terminal (cli-progress), nothing extra otherwise.

import cliProgress from 'cli-progress';
import type { Progress } from '../trainer.js';

export interface ProgressView {
  update(p: Progress): void;
  /** Clears the bar before a line of text is written. */
  clear(): void;
  stop(): void;
}

export function progressView(stream: NodeJS.WriteStream, enabled: boolean): ProgressView {
  if (!enabled || !stream.isTTY) return { update() {}, clear() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    stream,
    format: 'epoch {epoch} [{bar}] {percentage}% | batch {value}/{total} | loss {loss}',
    clearOnComplete: true,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let running = false;
  let epoch = 0;
  return {
    update(p) {
      if (!running || p.epoch !== epoch) {
        if (running) bar.stop();
        bar.start(p.batches, p.batch, { epoch: p.epoch, loss: p.loss.toFixed(4) });
        running = true;
        epoch = p.epoch;
      }
      bar.update(p.batch, { epoch: p.epoch, loss: p.loss.toFixed(4) });
    },
    clear() {
      if (running) bar.stop();
      running = false;
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
