// The one-line progress bar `eddy simulate` redraws on a TTY (the CLI prints nothing of it otherwise).
import type { Progress } from './driver.ts';

export function renderProgress(p: Progress, width = 30): string {
  const f = p.durationMs > 0 ? Math.min(1, p.simulatedMs / p.durationMs) : 1;
  const filled = Math.round(f * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const pct = `${Math.floor(f * 100)}`.padStart(3);
  return `[${bar}] ${pct}%  ${(p.simulatedMs / 1000).toFixed(0)}/${(p.durationMs / 1000).toFixed(0)} s  ${Math.round(p.recordsPerSec).toLocaleString('en-US')} rec/s  throttled ${p.throttled.toLocaleString('en-US')}  iterator age ${Math.round(p.iteratorAgeMs).toLocaleString('en-US')} ms`;
}
