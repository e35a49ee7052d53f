import { describe, expect, it } from 'vitest';
import { pickKey, pickSize, WorkloadGenerator } from '../../../../runtime/cost/simulate/generator.ts';
import { Random, ZipfSampler } from '../../../../runtime/cost/simulate/random.ts';
import { validateWorkload } from '../../../../runtime/cost/simulate/workload.ts';

const decoder = new TextDecoder();

describe('Random', () => {
  it('is deterministic per seed and stream, and different across them', () => {
    const seq = (seed: number, stream: number) => {
      const r = new Random(seed, stream);
      return Array.from({ length: 5 }, () => r.nextUint32());
    };
    expect(seq(1, 0)).toEqual(seq(1, 0));
    expect(seq(1, 0)).not.toEqual(seq(2, 0));
    expect(seq(1, 0)).not.toEqual(seq(1, 1));
  });

  it('draws uniform [0,1) with mean 0.5 and even deciles', () => {
    const r = new Random(42);
    const deciles = new Array(10).fill(0);
    let sum = 0;
    let outside = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      deciles[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    for (const d of deciles) expect(Math.abs(d - n / 10)).toBeLessThan(n / 10 * 0.05);
  });

  it('draws normals with mean 0 and stddev 1', () => {
    const r = new Random(3);
    const n = 50_000;
    const xs = Array.from({ length: n }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  });

  it('makes version-4 UUIDs', () => {
    expect(new Random(1).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('key distributions', () => {
  const count = (draw: () => string, n: number) => {
    const m = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = draw();
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };

  it('uniform spreads over all keys evenly', () => {
    const r = new Random(5);
    const m = count(() => pickKey({ kind: 'uniform', keys: 10 }, r), 50_000);
    expect([...m.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `key-${i}`).sort());
    for (const c of m.values()) expect(Math.abs(c - 5000)).toBeLessThan(300);
  });

  it('zipf follows 1/k^s', () => {
    const r = new Random(6);
    const z = new ZipfSampler(100, 1);
    const m = count(() => pickKey({ kind: 'zipf', keys: 100, exponent: 1 }, r, z), 100_000);
    const h = Array.from({ length: 100 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
    for (const k of [0, 1, 4, 9]) {
      const expected = 100_000 / (k + 1) / h;
      expect(Math.abs((m.get(`key-${k}`) ?? 0) - expected) / expected).toBeLessThan(0.06);
    }
    expect(m.get('key-0')! / m.get('key-1')!).toBeCloseTo(2, 0);
  });

  it('hot sends its share to the hot key', () => {
    const r = new Random(7);
    const m = count(() => pickKey({ kind: 'hot', keys: 50, hotKey: 'hot', share: 0.3 }, r), 50_000);
    expect(Math.abs(m.get('hot')! / 50_000 - 0.3)).toBeLessThan(0.01);
    expect(m.size).toBe(51);
  });
});

describe('size distributions', () => {
  it('fixed, uniform within bounds, normal clamped with the right mean', () => {
    const r = new Random(8);
    expect(pickSize({ kind: 'fixed', bytes: 77 }, r)).toBe(77);
    const us = Array.from({ length: 20_000 }, () => pickSize({ kind: 'uniform', min: 10, max: 20 }, r));
    expect(Math.min(...us)).toBe(10);
    expect(Math.max(...us)).toBe(20);
    expect(us.reduce((a, b) => a + b, 0) / us.length).toBeCloseTo(15, 0);
    const ns = Array.from({ length: 20_000 }, () => pickSize({ kind: 'normal', mean: 1000, stddev: 100, min: 900, max: 5000 }, r));
    expect(Math.min(...ns)).toBe(900);
    const unclamped = Array.from({ length: 20_000 }, () => pickSize({ kind: 'normal', mean: 1000, stddev: 100, min: 0, max: 5000 }, r));
    expect(Math.abs(unclamped.reduce((a, b) => a + b, 0) / unclamped.length - 1000)).toBeLessThan(3);
  });
});

describe('WorkloadGenerator', () => {
  const workload = validateWorkload(
    {
      duration: '10s',
      seed: 11,
      producers: [
        { stream: 'a', rate: 333, recordSize: 300, payload: { template: '{"s":{{seq}},"k":"{{key}}","p":"{{pad}}"}' } },
        { stream: 'b', rate: [{ constant: 0, for: '5s' }, { constant: 10 }], partitionKeys: { distribution: 'hot', hotKey: 'h', share: 1 } },
      ],
    },
    'w',
    '/',
  );

  const run = () => {
    const g = new WorkloadGenerator(workload, Date.UTC(2026, 0, 1));
    const out: { a: number; b: number; first: string; keysB: Set<string>; sizes: Set<number> } = { a: 0, b: 0, first: '', keysB: new Set(), sizes: new Set() };
    for (let t = 0; t < 10_000; t += 100) {
      const [a, b] = g.tick(t, 100) as [ReturnType<typeof g.tick>[0], ReturnType<typeof g.tick>[0]];
      out.a += a.records.length;
      out.b += b.records.length;
      if (!out.first && a.records[0]) out.first = decoder.decode(a.records[0].data);
      for (const r of a.records) out.sizes.add(r.data.length);
      for (const r of b.records) out.keysB.add(r.partitionKey);
    }
    return out;
  };

  it('emits exactly rate × duration records, carrying fractions across ticks', () => {
    const out = run();
    expect(out.a).toBe(3330);
    expect(out.b).toBe(50);
    expect(out.keysB).toEqual(new Set(['h']));
  });

  it('pads template payloads to the record size, deterministically', () => {
    const one = run();
    expect(one.sizes).toEqual(new Set([300]));
    expect(one.first).toMatch(/^\{"s":0,"k":"key-\d+","p":"x+"\}$/);
    expect(run()).toEqual(one);
  });
});

describe('template placeholders', () => {
  it('fills seq, key, pick, timestamp and iso from the generator', () => {
    const w = validateWorkload(
      { duration: '1s', producers: [{ stream: 's', rate: 300, payload: { template: '{{seq}}|{{key}}|{{pick:click|view|purchase}}|{{timestamp}}|{{iso}}' } }] },
      'w',
      '/',
    );
    const g = new WorkloadGenerator(w, Date.UTC(2026, 0, 1));
    const records = g.tick(0, 1000)[0]!.records.map((r) => decoder.decode(r.data).split('|'));
    expect(records).toHaveLength(300);
    expect(records.map((r) => r[0])).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
    expect(new Set(records.map((r) => r[2]))).toEqual(new Set(['click', 'view', 'purchase']));
    expect(records[0]![3]).toBe(String(Date.UTC(2026, 0, 1)));
    expect(records[0]![4]).toBe('2026-01-01T00:00:00.000Z');
    expect(records.every((r) => /^key-\d+$/.test(r[1]!))).toBe(true);
  });
});

describe('sample file payloads', () => {
  it('sends the lines of the sample file as they are, picked by the seed', () => {
    const w = validateWorkload({ duration: '1s', seed: 9, producers: [{ stream: 's', rate: 200 }] }, 'w', '/');
    const withSample = {
      ...w,
      producers: [{ ...w.producers[0]!, payload: { kind: 'sample' as const, file: '/x', lines: ['{"a":1}', '{"b":2}', '{"c":3}'] } }],
    };
    const draw = () => new WorkloadGenerator(withSample, 0).tick(0, 1000)[0]!.records.map((r) => decoder.decode(r.data));
    const lines = draw();
    expect(lines).toHaveLength(200);
    expect(new Set(lines)).toEqual(new Set(['{"a":1}', '{"b":2}', '{"c":3}']));
    expect(draw()).toEqual(lines);
  });
});
