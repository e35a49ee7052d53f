// The workload file (`eddy simulate --workload workload.yml`): parsed once, validated with the path of every bad
// value (all problems reported together, unknown keys by name), defaults applied, then frozen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EddyError } from '../../errors.ts';

/** Records per second over a phase of the run. */
export type RateShape =
  | { kind: 'constant'; rate: number }
  | { kind: 'ramp'; from: number; to: number }
  /** `base` records/s, with `peak` for `lengthMs` at the start of every `everyMs`. */
  | { kind: 'spikes'; base: number; peak: number; everyMs: number; lengthMs: number };

export interface RatePhase {
  readonly shape: RateShape;
  /** How long the phase lasts (simulated ms); undefined = until the end of the run. */
  readonly forMs: number | undefined;
}

export type KeyDistribution =
  | { kind: 'uniform'; keys: number }
  | { kind: 'zipf'; keys: number; exponent: number }
  /** `share` of the records carry `hotKey`, the rest spread uniformly over `keys` other keys. */
  | { kind: 'hot'; keys: number; hotKey: string; share: number };

export type SizeDistribution =
  | { kind: 'fixed'; bytes: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stddev: number; min: number; max: number };

export type PayloadSource =
  /** Placeholders: {{seq}} {{key}} {{uuid}} {{timestamp}} {{iso}} {{random}} {{int}} {{pad}} {{pick:a|b|c}}. */
  | { kind: 'template'; template: string }
  /** One payload per non-empty line of the file, picked at random. */
  | { kind: 'sample'; file: string; lines: readonly string[] };

export interface Producer {
  readonly name: string;
  readonly stream: string;
  readonly rate: readonly RatePhase[];
  readonly partitionKeys: KeyDistribution;
  readonly recordSize: SizeDistribution;
  readonly payload: PayloadSource;
  /** Entries per PutRecords call (1-500). */
  readonly batchSize: number;
}

export interface Workload {
  readonly name: string;
  /** Simulated duration of the run, ms. */
  readonly durationMs: number;
  readonly seed: number;
  readonly producers: readonly Producer[];
}

export const templatePlaceholders = ['seq', 'key', 'uuid', 'timestamp', 'iso', 'random', 'int', 'pad'] as const;
const DEFAULT_TEMPLATE = '{"seq":{{seq}},"key":"{{key}}","at":{{timestamp}},"pad":"{{pad}}"}';
const MAX_RECORD_BYTES = 10 * 1024 * 1024;

type Path = readonly (string | number)[];

function fmt(p: Path): string {
  return p.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

class Problems {
  readonly list: string[] = [];
  add(p: Path, message: string): void {
    this.list.push(`${fmt(p) || '(root)'}: ${message}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function known(obj: Record<string, unknown>, keys: readonly string[], p: Path, problems: Problems): void {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) problems.add([...p, k], `unknown key (known: ${keys.join(', ')})`);
}

/** `90`, `90s`, `1500ms`, `2m`, `1h` -> ms (a bare number is seconds). */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v * 1000 : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return ms > 0 ? ms : undefined;
}

function duration(v: unknown, p: Path, problems: Problems): number {
  const ms = parseDurationMs(v);
  if (ms === undefined) problems.add(p, `must be a duration such as 30s, 1500ms, 2m or 1h, got ${JSON.stringify(v)}`);
  return ms ?? 1000;
}

function num(v: unknown, p: Path, problems: Problems, opts: { min?: number; max?: number; integer?: boolean; above?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    problems.add(p, `must be a number, got ${JSON.stringify(v)}`);
    return opts.min ?? 1;
  }
  if (opts.integer && !Number.isInteger(v)) problems.add(p, `must be an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) problems.add(p, `must be ≥ ${opts.min}, got ${v}`);
  if (opts.above !== undefined && v <= opts.above) problems.add(p, `must be above ${opts.above}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) problems.add(p, `must be ≤ ${opts.max}, got ${v}`);
  return v;
}

function rateShape(v: Record<string, unknown>, p: Path, problems: Problems): RateShape {
  const kinds = ['constant', 'ramp', 'spikes'].filter((k) => k in v);
  if (kinds.length !== 1) {
    problems.add(p, `must have exactly one of constant, ramp, spikes${kinds.length > 1 ? ` (found ${kinds.join(', ')})` : ''}`);
    return { kind: 'constant', rate: 0 };
  }
  const kind = kinds[0]!;
  const at = [...p, kind];
  if (kind === 'constant') return { kind: 'constant', rate: num(v['constant'], at, problems, { min: 0 }) };
  const body = v[kind];
  if (!isObject(body)) {
    problems.add(at, kind === 'ramp' ? 'must be { from, to }' : 'must be { base, peak, every, length }');
    return { kind: 'constant', rate: 0 };
  }
  if (kind === 'ramp') {
    known(body, ['from', 'to'], at, problems);
    return { kind: 'ramp', from: num(body['from'], [...at, 'from'], problems, { min: 0 }), to: num(body['to'], [...at, 'to'], problems, { min: 0 }) };
  }
  known(body, ['base', 'peak', 'every', 'length'], at, problems);
  const everyMs = duration(body['every'], [...at, 'every'], problems);
  const lengthMs = duration(body['length'] ?? '1s', [...at, 'length'], problems);
  if (lengthMs > everyMs) problems.add([...at, 'length'], `must not be longer than every (${everyMs} ms), got ${lengthMs} ms`);
  return {
    kind: 'spikes',
    base: num(body['base'] ?? 0, [...at, 'base'], problems, { min: 0 }),
    peak: num(body['peak'], [...at, 'peak'], problems, { min: 0 }),
    everyMs,
    lengthMs,
  };
}

function rate(v: unknown, p: Path, problems: Problems): RatePhase[] {
  if (typeof v === 'number') return [{ shape: { kind: 'constant', rate: num(v, p, problems, { min: 0 }) }, forMs: undefined }];
  const phases = isObject(v) ? [v] : v;
  if (!Array.isArray(phases) || phases.length === 0) {
    problems.add(p, 'must be records per second (a number), a phase { constant | ramp | spikes, for }, or a list of phases');
    return [];
  }
  return phases.map((phase: unknown, i) => {
    const at = isObject(v) ? p : [...p, i];
    if (!isObject(phase)) {
      problems.add(at, 'must be a phase { constant | ramp | spikes, for }');
      return { shape: { kind: 'constant', rate: 0 }, forMs: undefined };
    }
    known(phase, ['constant', 'ramp', 'spikes', 'for'], at, problems);
    const last = i === phases.length - 1;
    if (!last && phase['for'] === undefined) problems.add([...at, 'for'], 'is required on every phase but the last');
    return { shape: rateShape(phase, at, problems), forMs: phase['for'] === undefined ? undefined : duration(phase['for'], [...at, 'for'], problems) };
  });
}

function keys(v: unknown, p: Path, problems: Problems): KeyDistribution {
  if (v === undefined) return { kind: 'uniform', keys: 1000 };
  if (!isObject(v)) {
    problems.add(p, 'must be { distribution: uniform | zipf | hot, keys, ... }');
    return { kind: 'uniform', keys: 1 };
  }
  const dist = v['distribution'] ?? 'uniform';
  const count = num(v['keys'] ?? 1000, [...p, 'keys'], problems, { min: 1, max: 1_000_000, integer: true });
  switch (dist) {
    case 'uniform':
      known(v, ['distribution', 'keys'], p, problems);
      return { kind: 'uniform', keys: count };
    case 'zipf':
      known(v, ['distribution', 'keys', 'exponent'], p, problems);
      return { kind: 'zipf', keys: count, exponent: num(v['exponent'] ?? 1, [...p, 'exponent'], problems, { above: 0, max: 10 }) };
    case 'hot': {
      known(v, ['distribution', 'keys', 'hotKey', 'share'], p, problems);
      const hotKey = v['hotKey'] ?? 'hot';
      if (typeof hotKey !== 'string' || hotKey.length < 1 || hotKey.length > 256) problems.add([...p, 'hotKey'], 'must be a string of 1 to 256 characters');
      return { kind: 'hot', keys: count, hotKey: String(hotKey), share: num(v['share'] ?? 0.5, [...p, 'share'], problems, { min: 0, max: 1 }) };
    }
    default:
      problems.add([...p, 'distribution'], `must be one of uniform, zipf, hot, got ${JSON.stringify(dist)}`);
      return { kind: 'uniform', keys: count };
  }
}

function size(v: unknown, p: Path, problems: Problems): SizeDistribution {
  const bytes = { min: 0, max: MAX_RECORD_BYTES, integer: true };
  if (v === undefined) return { kind: 'fixed', bytes: 1024 };
  if (typeof v === 'number') return { kind: 'fixed', bytes: num(v, p, problems, bytes) };
  if (!isObject(v)) {
    problems.add(p, 'must be bytes (a number) or { distribution: fixed | uniform | normal, ... }');
    return { kind: 'fixed', bytes: 1 };
  }
  const dist = v['distribution'] ?? 'fixed';
  switch (dist) {
    case 'fixed':
      known(v, ['distribution', 'bytes'], p, problems);
      return { kind: 'fixed', bytes: num(v['bytes'], [...p, 'bytes'], problems, bytes) };
    case 'uniform': {
      known(v, ['distribution', 'min', 'max'], p, problems);
      const min = num(v['min'], [...p, 'min'], problems, bytes);
      const max = num(v['max'], [...p, 'max'], problems, bytes);
      if (max < min) problems.add([...p, 'max'], `must be ≥ min (${min}), got ${max}`);
      return { kind: 'uniform', min, max };
    }
    case 'normal': {
      known(v, ['distribution', 'mean', 'stddev', 'min', 'max'], p, problems);
      const mean = num(v['mean'], [...p, 'mean'], problems, { min: 0, max: MAX_RECORD_BYTES });
      const min = num(v['min'] ?? 1, [...p, 'min'], problems, bytes);
      const max = num(v['max'] ?? 1024 * 1024, [...p, 'max'], problems, bytes);
      if (max < min) problems.add([...p, 'max'], `must be ≥ min (${min}), got ${max}`);
      return { kind: 'normal', mean, stddev: num(v['stddev'], [...p, 'stddev'], problems, { min: 0 }), min, max };
    }
    default:
      problems.add([...p, 'distribution'], `must be one of fixed, uniform, normal, got ${JSON.stringify(dist)}`);
      return { kind: 'fixed', bytes: 1 };
  }
}

function payload(v: unknown, p: Path, problems: Problems, baseDir: string, sizeGiven: boolean): PayloadSource {
  if (v === undefined) return { kind: 'template', template: DEFAULT_TEMPLATE };
  if (!isObject(v)) {
    problems.add(p, 'must be { template: "..." } or { sampleFile: path }');
    return { kind: 'template', template: DEFAULT_TEMPLATE };
  }
  known(v, ['template', 'sampleFile'], p, problems);
  if ((v['template'] === undefined) === (v['sampleFile'] === undefined)) {
    problems.add(p, 'must have exactly one of template, sampleFile');
    return { kind: 'template', template: DEFAULT_TEMPLATE };
  }
  if (v['template'] !== undefined) {
    const t = v['template'];
    if (typeof t !== 'string') {
      problems.add([...p, 'template'], 'must be a string');
      return { kind: 'template', template: DEFAULT_TEMPLATE };
    }
    for (const m of t.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      const name = m[1]!;
      if (name.startsWith('pick:')) {
        if (name.slice(5).split('|').some((choice) => choice === '')) problems.add([...p, 'template'], `{{${name}}}: every choice of pick must be non-empty`);
      } else if (!(templatePlaceholders as readonly string[]).includes(name)) {
        problems.add([...p, 'template'], `unknown placeholder {{${name}}} (known: ${templatePlaceholders.map((x) => `{{${x}}}`).join(' ')} {{pick:a|b}})`);
      }
    }
    if (sizeGiven && !/\{\{\s*pad\s*\}\}/.test(t)) problems.add([...p, 'template'], 'recordSize needs a {{pad}} placeholder in the template to fill');
    return { kind: 'template', template: t };
  }
  const f = v['sampleFile'];
  if (typeof f !== 'string' || f === '') {
    problems.add([...p, 'sampleFile'], 'must be a path');
    return { kind: 'template', template: DEFAULT_TEMPLATE };
  }
  if (sizeGiven) problems.add(p, 'recordSize does not apply to a sampleFile (its lines are sent as they are)');
  const file = path.resolve(baseDir, f);
  let lines: string[] = [];
  try {
    lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  } catch (err) {
    problems.add([...p, 'sampleFile'], `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (lines.length === 0 && problems.list.every((x) => !x.startsWith(fmt([...p, 'sampleFile'])))) {
    problems.add([...p, 'sampleFile'], `${file} has no non-empty line`);
  }
  return { kind: 'sample', file, lines };
}

/** Validates a parsed workload document; `origin` names it in errors, `baseDir` resolves sample files. */
export function validateWorkload(doc: unknown, origin: string, baseDir: string): Workload {
  const problems = new Problems();
  if (!isObject(doc)) throw new EddyError('EDDY_ERR_WORKLOAD_INVALID', `${origin}: must be a mapping with duration and producers`);
  known(doc, ['name', 'duration', 'seed', 'producers'], [], problems);
  const name = doc['name'] ?? path.basename(origin);
  if (typeof name !== 'string') problems.add(['name'], 'must be a string');
  const durationMs = doc['duration'] === undefined ? (problems.add(['duration'], 'is required'), 1000) : duration(doc['duration'], ['duration'], problems);
  const seed = num(doc['seed'] ?? 1, ['seed'], problems, { min: 0, max: 2 ** 32 - 1, integer: true });
  const rawProducers = doc['producers'];
  const producers: Producer[] = [];
  if (!Array.isArray(rawProducers) || rawProducers.length === 0) {
    problems.add(['producers'], 'must be a non-empty list');
  } else {
    rawProducers.forEach((raw: unknown, i) => {
      const p = ['producers', i];
      if (!isObject(raw)) {
        problems.add(p, 'must be a mapping { stream, rate, ... }');
        return;
      }
      known(raw, ['name', 'stream', 'rate', 'partitionKeys', 'recordSize', 'payload', 'batchSize'], p, problems);
      const stream = raw['stream'];
      if (typeof stream !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(stream)) {
        problems.add([...p, 'stream'], `must be a stream name ([a-zA-Z0-9_.-]{1,128}), got ${JSON.stringify(stream)}`);
      }
      if (raw['rate'] === undefined) problems.add([...p, 'rate'], 'is required');
      producers.push({
        name: typeof raw['name'] === 'string' ? raw['name'] : `producer-${i}`,
        stream: String(stream),
        rate: raw['rate'] === undefined ? [] : rate(raw['rate'], [...p, 'rate'], problems),
        partitionKeys: keys(raw['partitionKeys'], [...p, 'partitionKeys'], problems),
        recordSize: size(raw['recordSize'], [...p, 'recordSize'], problems),
        payload: payload(raw['payload'], [...p, 'payload'], problems, baseDir, raw['recordSize'] !== undefined),
        batchSize: num(raw['batchSize'] ?? 500, [...p, 'batchSize'], problems, { min: 1, max: 500, integer: true }),
      });
    });
  }
  if (problems.list.length > 0) {
    throw new EddyError('EDDY_ERR_WORKLOAD_INVALID', `${origin}: ${problems.list.length === 1 ? problems.list[0] : `\n  ${problems.list.join('\n  ')}`}`);
  }
  return deepFreeze({ name: String(name), durationMs, seed, producers });
}

/** Reads, parses and validates a workload file. */
export function loadWorkload(file: string): Workload {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EddyError('EDDY_ERR_WORKLOAD_INVALID', `${file}: cannot read the workload file: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new EddyError('EDDY_ERR_WORKLOAD_INVALID', `${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  return validateWorkload(doc, file, path.dirname(path.resolve(file)));
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** Records per second a producer offers at simulated time t (ms from the start of a run of durationMs). */
export function rateAt(phases: readonly RatePhase[], t: number, durationMs: number): number {
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i]!;
    const end = phase.forMs === undefined || i === phases.length - 1 ? Infinity : start + phase.forMs;
    if (t < end) {
      const local = t - start;
      const s = phase.shape;
      switch (s.kind) {
        case 'constant':
          return s.rate;
        case 'ramp': {
          // A last phase lasts until the end of the run (a ramp with `for` holds its `to` after it).
          const span = phase.forMs ?? durationMs - start;
          const f = span > 0 ? Math.min(1, local / span) : 1;
          return s.from + (s.to - s.from) * f;
        }
        case 'spikes':
          return local % s.everyMs < s.lengthMs ? s.peak : s.base;
      }
    }
    start = end;
  }
  return 0;
}

/**
 * `--sample <duration>`: the same workload traversed in `sampleMs` at its real per-second rates. Phase lengths and
 * spike periods shrink by sampleMs / durationMs, so the run sees every part of the rate curve, in proportion, and
 * produces sampleMs / durationMs of the records; the projection extrapolates from the sample's window. (Unlike
 * --speed, which sends all the records in less real time and so raises the real rates.)
 */
export function sampleWorkload(workload: Workload, sampleMs: number): Workload {
  if (sampleMs >= workload.durationMs) return workload;
  const f = sampleMs / workload.durationMs;
  const shrink = (ms: number) => Math.max(1, ms * f);
  return deepFreeze({
    ...workload,
    name: `${workload.name} (sampled: ${sampleMs / 1000} s of ${workload.durationMs / 1000} s)`,
    durationMs: sampleMs,
    producers: workload.producers.map((p) => ({
      ...p,
      rate: p.rate.map((phase) => ({
        forMs: phase.forMs === undefined ? undefined : shrink(phase.forMs),
        shape: phase.shape.kind === 'spikes' ? { ...phase.shape, everyMs: shrink(phase.shape.everyMs), lengthMs: shrink(phase.shape.lengthMs) } : phase.shape,
      })),
    })),
  });
}
