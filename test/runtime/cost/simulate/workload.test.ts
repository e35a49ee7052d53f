import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../../../runtime/errors.ts';
import { loadWorkload, parseDurationMs, rateAt, validateWorkload } from '../../../../runtime/cost/simulate/workload.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('workload file', () => {
  it('parses a full workload with defaults applied, and freezes it', async () => {
    await writeFile(path.join(dir, 'samples.jsonl'), '{"a":1}\n\n{"a":2}\n');
    const file = path.join(dir, 'workload.yml');
    await writeFile(
      file,
      `name: clicks
duration: 2m
seed: 7
producers:
  - stream: events
    rate: 1000
  - name: bursts
    stream: events
    rate:
      - { constant: 100, for: 30s }
      - { ramp: { from: 100, to: 1000 }, for: 30s }
      - { spikes: { base: 200, peak: 2000, every: 10s, length: 1s } }
    partitionKeys: { distribution: zipf, keys: 500, exponent: 1.2 }
    payload: { sampleFile: samples.jsonl }
    batchSize: 100
  - stream: other
    rate: 10
    partitionKeys: { distribution: hot, hotKey: tenant-1, share: 0.9 }
    recordSize: { distribution: normal, mean: 2000, stddev: 500 }
    payload: { template: '{"t":"{{key}}","p":"{{pad}}"}' }
`,
    );
    const w = loadWorkload(file);
    expect(w.name).toBe('clicks');
    expect(w.durationMs).toBe(120_000);
    expect(w.seed).toBe(7);
    expect(w.producers[0]).toMatchObject({
      name: 'producer-0',
      stream: 'events',
      rate: [{ shape: { kind: 'constant', rate: 1000 }, forMs: undefined }],
      partitionKeys: { kind: 'uniform', keys: 1000 },
      recordSize: { kind: 'fixed', bytes: 1024 },
      payload: { kind: 'template' },
      batchSize: 500,
    });
    expect(w.producers[1]!.rate).toEqual([
      { shape: { kind: 'constant', rate: 100 }, forMs: 30_000 },
      { shape: { kind: 'ramp', from: 100, to: 1000 }, forMs: 30_000 },
      { shape: { kind: 'spikes', base: 200, peak: 2000, everyMs: 10_000, lengthMs: 1000 }, forMs: undefined },
    ]);
    expect(w.producers[1]!.payload).toEqual({ kind: 'sample', file: path.join(dir, 'samples.jsonl'), lines: ['{"a":1}', '{"a":2}'] });
    expect(w.producers[2]!.partitionKeys).toEqual({ kind: 'hot', keys: 1000, hotKey: 'tenant-1', share: 0.9 });
    expect(w.producers[2]!.recordSize).toEqual({ kind: 'normal', mean: 2000, stddev: 500, min: 1, max: 1024 * 1024 });
    expect(Object.isFrozen(w.producers[1]!.rate[0])).toBe(true);
  });

  it('reports every problem with its path, and unknown keys by name', () => {
    const err = errorOf(() =>
      validateWorkload(
        {
          duraton: '1m',
          producers: [
            { stream: 'bad name!', rate: [{ constant: 5 }, { ramp: { from: 1, to: 'x' } }], partitionKeys: { distribution: 'pareto' }, batchSize: 501 },
            { stream: 's', rate: { spikes: { peak: 10, every: '1s', length: '2s' } }, recordSize: 100, payload: { template: '{{nope}}' } },
          ],
        },
        'w.yml',
        dir,
      ),
    );
    expect(hasErrorCode(err, 'EDDY_ERR_WORKLOAD_INVALID')).toBe(true);
    expect(err.message.split('\n  ')).toEqual([
      'w.yml: ',
      'duraton: unknown key (known: name, duration, seed, producers)',
      'duration: is required',
      'producers[0].stream: must be a stream name ([a-zA-Z0-9_.-]{1,128}), got "bad name!"',
      'producers[0].rate[0].for: is required on every phase but the last',
      'producers[0].rate[1].ramp.to: must be a number, got "x"',
      'producers[0].partitionKeys.distribution: must be one of uniform, zipf, hot, got "pareto"',
      'producers[0].batchSize: must be ≤ 500, got 501',
      'producers[1].rate.spikes.length: must not be longer than every (1000 ms), got 2000 ms',
      'producers[1].payload.template: unknown placeholder {{nope}} (known: {{seq}} {{key}} {{uuid}} {{timestamp}} {{iso}} {{random}} {{int}} {{pad}} {{pick:a|b}})',
      'producers[1].payload.template: recordSize needs a {{pad}} placeholder in the template to fill',
    ]);
  });

  it('names a single problem on one line, and a missing sample file', () => {
    const err = errorOf(() => validateWorkload({ duration: 10, producers: [{ stream: 's', rate: 1, payload: { sampleFile: 'missing.txt' } }] }, 'w.yml', dir));
    expect(err.message).toBe(`w.yml: producers[0].payload.sampleFile: cannot read ${path.join(dir, 'missing.txt')}: ENOENT`);
  });

  it('rejects files that are not YAML mappings', async () => {
    const file = path.join(dir, 'w.yml');
    await writeFile(file, 'producers: [\n');
    expect(errorOf(() => loadWorkload(file)).message).toMatch(/not valid YAML/);
    await writeFile(file, '- 1\n');
    expect(errorOf(() => loadWorkload(file)).message).toBe(`${file}: must be a mapping with duration and producers`);
  });

  it('reads durations with units', () => {
    expect([parseDurationMs(90), parseDurationMs('90s'), parseDurationMs('1500ms'), parseDurationMs('2m'), parseDurationMs('1h')]).toEqual([90_000, 90_000, 1500, 120_000, 3_600_000]);
    expect([parseDurationMs('0s'), parseDurationMs('1 day'), parseDurationMs(-1)]).toEqual([undefined, undefined, undefined]);
  });
});

describe('rateAt', () => {
  const phases = validateWorkload(
    {
      duration: '60s',
      producers: [{ stream: 's', rate: [{ constant: 100, for: '10s' }, { ramp: { from: 100, to: 1100 }, for: '10s' }, { spikes: { base: 5, peak: 50, every: '10s', length: '2s' } }] }],
    },
    'w',
    dir,
  ).producers[0]!.rate;
  it.each([
    [0, 100],
    [9_999, 100],
    [10_000, 100],
    [15_000, 600],
    [20_000, 50],
    [21_999, 50],
    [22_000, 5],
    [30_500, 50],
    [59_000, 5],
  ])('at %d ms -> %d records/s', (t, r) => {
    expect(rateAt(phases, t, 60_000)).toBeCloseTo(r, 9);
  });
  it('ramps a last phase without `for` over the rest of the run', () => {
    const last = validateWorkload({ duration: '100s', producers: [{ stream: 's', rate: { ramp: { from: 0, to: 100 } } }] }, 'w', dir).producers[0]!.rate;
    expect(rateAt(last, 50_000, 100_000)).toBeCloseTo(50, 9);
  });
});

describe('the demo workload fixture', () => {
  it('is valid and makes events the demo accepts', async () => {
    const { WorkloadGenerator } = await import('../../../../runtime/cost/simulate/generator.ts');
    const w = loadWorkload(path.join(import.meta.dirname, '../fixtures/demo-workload.yml'));
    expect(w.producers[0]!.stream).toBe('eddy-demo-dev-events');
    const records = new WorkloadGenerator(w, Date.UTC(2026, 0, 1)).tick(0, 1000)[0]!.records;
    expect(records).toHaveLength(50);
    for (const r of records) {
      const e = JSON.parse(new TextDecoder().decode(r.data));
      expect(['click', 'view', 'purchase']).toContain(e.type);
      expect(['normal', 'urgent']).toContain(e.priority);
      expect(e.key).toBe(r.partitionKey);
      expect(typeof e.value).toBe('number');
      expect(r.data.length).toBeGreaterThanOrEqual(200);
    }
  });
});

describe('sampleWorkload (--sample)', () => {
  it('traverses the rate curve in less time at the same per-second rates', async () => {
    const { sampleWorkload } = await import('../../../../runtime/cost/simulate/workload.ts');
    const { parseSample } = await import('../../../../runtime/cost/simulate/options.ts');
    const w = validateWorkload(
      {
        name: 'day',
        duration: '1h',
        producers: [{ stream: 's', rate: [{ constant: 10, for: '30m' }, { ramp: { from: 10, to: 110 }, for: '20m' }, { spikes: { base: 1, peak: 100, every: '5m', length: '1m' } }] }],
      },
      'w',
      dir,
    );
    const s = sampleWorkload(w, 60_000);
    expect(s.name).toBe('day (sampled: 60 s of 3600 s)');
    expect(s.durationMs).toBe(60_000);
    expect(s.producers[0]!.rate.map((p) => p.forMs)).toEqual([30_000, 20_000, undefined]);
    // The same rates at the same relative points of the curve.
    for (const at of [0.1, 0.6, 0.7, 0.84, 0.86, 0.99]) {
      expect(rateAt(s.producers[0]!.rate, at * 60_000, 60_000)).toBeCloseTo(rateAt(w.producers[0]!.rate, at * 3_600_000, 3_600_000), 9);
    }
    expect(sampleWorkload(w, 7_200_000)).toBe(w);
    expect(parseSample('90s')).toBe(90_000);
    expect(parseSample('2m')).toBe(120_000);
    expect(() => parseSample('10ms')).toThrow('--sample: must be a duration of at least 1s such as 30s or 2m, got "10ms"');
  });
});
