// Turns a workload into records, tick by tick, deterministically: the records of simulated time [t, t + tick).
import type { KeyDistribution, Producer, SizeDistribution, Workload } from './workload.ts';
import { rateAt } from './workload.ts';
import { Random, ZipfSampler } from './random.ts';

export interface GeneratedRecord {
  partitionKey: string;
  data: Uint8Array;
}

export interface ProducerBatch {
  producer: string;
  stream: string;
  batchSize: number;
  records: GeneratedRecord[];
}

const encoder = new TextEncoder();

class ProducerGenerator {
  readonly #p: Producer;
  readonly #random: Random;
  readonly #zipf: ZipfSampler | undefined;
  readonly #durationMs: number;
  readonly #template: readonly (string | { name: string; choices?: string[] })[];
  #carry = 0;
  #seq = 0;

  constructor(p: Producer, seed: number, index: number, durationMs: number) {
    this.#p = p;
    this.#random = new Random(seed, index);
    this.#zipf = p.partitionKeys.kind === 'zipf' ? new ZipfSampler(p.partitionKeys.keys, p.partitionKeys.exponent) : undefined;
    this.#durationMs = durationMs;
    this.#template = p.payload.kind === 'template' ? compile(p.payload.template) : [];
  }

  /** How many records fall in [t, t + dt): the rate at the tick's midpoint, fractions carried to later ticks. */
  count(t: number, dt: number): number {
    const exact = (rateAt(this.#p.rate, t + dt / 2, this.#durationMs) * dt) / 1000 + this.#carry;
    const n = Math.floor(exact + 1e-9);
    this.#carry = exact - n;
    return n;
  }

  key(): string {
    return pickKey(this.#p.partitionKeys, this.#random, this.#zipf);
  }

  size(): number {
    return pickSize(this.#p.recordSize, this.#random);
  }

  record(simulatedNowMs: number): GeneratedRecord {
    const key = this.key();
    const seq = this.#seq++;
    const payload = this.#p.payload;
    if (payload.kind === 'sample') {
      return { partitionKey: key, data: encoder.encode(payload.lines[this.#random.int(payload.lines.length)]!) };
    }
    const target = this.size();
    let before = '';
    let after = '';
    let padded = false;
    for (const token of this.#template) {
      let text: string;
      if (typeof token === 'string') text = token;
      else if (token.choices) text = token.choices[this.#random.int(token.choices.length)]!;
      else {
        switch (token.name) {
          case 'seq':
            text = String(seq);
            break;
          case 'key':
            text = key;
            break;
          case 'uuid':
            text = this.#random.uuid();
            break;
          case 'timestamp':
            text = String(Math.round(simulatedNowMs));
            break;
          case 'iso':
            text = new Date(simulatedNowMs).toISOString();
            break;
          case 'random':
            text = String(this.#random.next());
            break;
          case 'int':
            text = String(this.#random.int(1_000_000));
            break;
          case 'pad':
            // The first {{pad}} is filled so the record reaches its size; any other is left empty.
            padded = true;
            continue;
          default:
            text = '';
        }
      }
      if (padded) after += text;
      else before += text;
    }
    if (!padded) return { partitionKey: key, data: encoder.encode(before) };
    const missing = target - Buffer.byteLength(before) - Buffer.byteLength(after);
    return { partitionKey: key, data: encoder.encode(missing > 0 ? before + padding(missing) + after : before + after) };
  }

  batch(t: number, dt: number, startMs: number): ProducerBatch {
    const n = this.count(t, dt);
    const records: GeneratedRecord[] = [];
    for (let i = 0; i < n; i++) records.push(this.record(startMs + t + (dt * i) / Math.max(1, n)));
    return { producer: this.#p.name, stream: this.#p.stream, batchSize: this.#p.batchSize, records };
  }
}

/** A template split once into literal text and placeholders. */
function compile(template: string): (string | { name: string; choices?: string[] })[] {
  const out: (string | { name: string; choices?: string[] })[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (m.index > last) out.push(template.slice(last, m.index));
    const name = m[1]!;
    out.push(name.startsWith('pick:') ? { name: 'pick', choices: name.slice(5).split('|') } : { name });
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}

let pad = 'x'.repeat(1024);
function padding(n: number): string {
  while (pad.length < n) pad += pad;
  return pad.slice(0, n);
}

export function pickKey(d: KeyDistribution, random: Random, zipf?: ZipfSampler): string {
  switch (d.kind) {
    case 'uniform':
      return `key-${random.int(d.keys)}`;
    case 'zipf':
      return `key-${(zipf ?? new ZipfSampler(d.keys, d.exponent)).sample(random)}`;
    case 'hot':
      return random.next() < d.share ? d.hotKey : `key-${random.int(d.keys)}`;
  }
}

export function pickSize(d: SizeDistribution, random: Random): number {
  switch (d.kind) {
    case 'fixed':
      return d.bytes;
    case 'uniform':
      return d.min + random.int(d.max - d.min + 1);
    case 'normal':
      return Math.round(Math.min(d.max, Math.max(d.min, d.mean + d.stddev * random.normal())));
  }
}

/** All producers of a workload, advanced together one tick at a time. */
export class WorkloadGenerator {
  readonly #producers: ProducerGenerator[];
  readonly #startMs: number;

  /** startMs: the simulated epoch time the run starts at (for {{timestamp}}). */
  constructor(workload: Workload, startMs: number) {
    this.#producers = workload.producers.map((p, i) => new ProducerGenerator(p, workload.seed, i, workload.durationMs));
    this.#startMs = startMs;
  }

  /** Records of every producer for simulated time [t, t + dt) (ms from the start). */
  tick(t: number, dt: number): ProducerBatch[] {
    return this.#producers.map((p) => p.batch(t, dt, this.#startMs));
  }
}
