// The simulate command's option values, checked where they enter (the CLI maps these parsers onto its flags).
import { EddyError } from '../../errors.ts';

function bad(flag: string, message: string, raw: string): EddyError {
  return new EddyError('EDDY_ERR_OPTION_INVALID', `${flag}: ${message}, got "${raw}"`);
}

/** `--memory 128,256,512`: Lambda memory sizes, 128-10240 MB, no duplicates, in the order given. */
export function parseMemoryList(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const sizes = parts.map((p) => Number(p));
  if (parts.some((p) => p === '') || sizes.some((n) => !Number.isInteger(n) || n < 128 || n > 10240)) {
    throw bad('--memory', 'must be a comma-separated list of whole MB from 128 to 10240', raw);
  }
  if (new Set(sizes).size !== sizes.length) throw bad('--memory', 'must not repeat a size', raw);
  return sizes;
}

function positive(flag: string, raw: string, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw bad(flag, `must be a number above 0 and at most ${max}`, raw);
  return n;
}

/** `--speed 10`: simulated seconds per real second. */
export const parseSpeed = (raw: string): number => positive('--speed', raw, 1000);
/** `--duration-scale 1.3`: multiplies local durations to match ones measured on AWS. */
export const parseDurationScale = (raw: string): number => positive('--duration-scale', raw, 1000);

/** `--budget 100` or `--budget $100.50`: monthly dollars. */
export function parseBudget(raw: string): number {
  const n = Number(raw.trim().replace(/^\$/, ''));
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw bad('--budget', 'must be an amount of dollars such as 100 or 99.50', raw);
  return n;
}

/** `--duration-statistic mean|p50|mode`: bill every invocation at its own duration (mean), the median or the mode. */
export function parseDurationStatistic(raw: string): 'mean' | 'p50' | 'mode' {
  if (raw === 'mean' || raw === 'p50' || raw === 'mode') return raw;
  throw bad('--duration-statistic', 'must be mean, p50 or mode', raw);
}

/** `--sample 30s`: traverse the workload in this much time at its real rates (see sampleWorkload). */
export function parseSample(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'] : NaN;
  if (!(ms >= 1000)) throw bad('--sample', 'must be a duration of at least 1s such as 30s or 2m', raw);
  return ms;
}
