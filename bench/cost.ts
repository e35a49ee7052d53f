// bench/cost.ts: what metering costs on the hot paths. The meter sees every append batch and every invocation
// report; the baseline is the least any meter must do: bump a few counters in a Map per event. Also times the
// workload generator (records/s it can make) against building the same records by hand, and the shard analysis.
import { VirtualClock } from '../runtime/clock.ts';
import { CostMeter } from '../runtime/cost/meter.ts';
import { recommendShards } from '../runtime/cost/simulate/analysis.ts';
import { hashSlice, type LoadGrid } from '../runtime/cost/simulate/driver.ts';
import { WorkloadGenerator } from '../runtime/cost/simulate/generator.ts';
import { validateWorkload } from '../runtime/cost/simulate/workload.ts';
import type { InvocationReport } from '../runtime/lambda/types.ts';

const N = 1_000_000;

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, time(fn));
  return min;
}

const report: InvocationReport = {
  functionKey: 'f',
  functionName: 'svc-f',
  requestId: 'r',
  source: 'mapping:1',
  startedAtMs: 0,
  durationMs: 12.3,
  billedDurationMs: 13,
  initDurationMs: undefined,
  memorySizeMb: 256,
  maxMemoryUsedMb: 60,
  architecture: 'x86_64',
  errorType: undefined,
};

const meterMs = best(3, () => {
  const clock = new VirtualClock();
  const meter = new CostMeter({ clock, region: 'us-east-1' });
  for (let i = 0; i < N; i++) {
    meter.recordKinesis({ type: 'appended', streamName: 's', shardId: `shardId-00000000000${i & 3}`, records: 10, bytes: 1000, payloadUnits: 10 });
    meter.recordInvocation({ ...report, startedAtMs: clock.now() });
    if ((i & 1023) === 0) clock.advance(100);
  }
  meter.snapshot();
});

const baselineMs = best(3, () => {
  const counters = new Map<string, { records: number; bytes: number; units: number; requests: number; ms: number }>();
  for (let i = 0; i < N; i++) {
    const key = `s/shardId-00000000000${i & 3}`;
    let c = counters.get(key);
    if (!c) counters.set(key, (c = { records: 0, bytes: 0, units: 0, requests: 0, ms: 0 }));
    c.records += 10;
    c.bytes += 1000;
    c.units += 10;
    const r = { ...report, startedAtMs: i };
    c.requests += 1;
    c.ms += Math.ceil(r.durationMs);
  }
});

console.log(`meter: ${N.toLocaleString('en-US')} append events + ${N.toLocaleString('en-US')} invocation reports`);
console.log(`  CostMeter           ${meterMs.toFixed(0).padStart(6)} ms  (${((meterMs * 1e6) / (2 * N)).toFixed(0)} ns per event)`);
console.log(`  bare counters       ${baselineMs.toFixed(0).padStart(6)} ms`);
console.log(`  meter / baseline    ${(meterMs / baselineMs).toFixed(2)}`);

const workload = validateWorkload(
  { duration: '60s', producers: [{ stream: 's', rate: 20_000, partitionKeys: { distribution: 'zipf', keys: 10_000, exponent: 1.1 }, recordSize: 200 }] },
  'bench',
  '/',
);
let generated = 0;
const genMs = best(3, () => {
  const g = new WorkloadGenerator(workload, 0);
  generated = 0;
  for (let t = 0; t < 60_000; t += 100) generated += g.tick(t, 100)[0]!.records.length;
});
const enc = new TextEncoder();
const handMs = best(3, () => {
  for (let i = 0; i < generated; i++) enc.encode(`{"seq":${i},"key":"key-${i % 10_000}","pad":"${'x'.repeat(170)}"}`);
});
console.log(`generator: ${generated.toLocaleString('en-US')} records (zipf keys, 200 B template payloads)`);
console.log(`  WorkloadGenerator   ${genMs.toFixed(0).padStart(6)} ms  (${Math.round(generated / (genMs / 1000)).toLocaleString('en-US')} records/s)`);
console.log(`  hand-built records  ${handMs.toFixed(0).padStart(6)} ms`);
console.log(`  generator / hand    ${(genMs / handMs).toFixed(2)}`);

const load: LoadGrid = { slices: 4096, seconds: [] };
for (let s = 0; s < 600; s++) {
  const m = new Map<number, [number, number]>();
  for (let k = 0; k < 5000; k++) {
    const slice = hashSlice(`key-${k}`);
    const cell = m.get(slice) ?? [0, 0];
    cell[0] += 4;
    cell[1] += 4 * 300;
    m.set(slice, cell);
  }
  load.seconds[s] = m;
}
let shards: number | undefined;
const recMs = time(() => (shards = recommendShards(load).shards));
console.log(`shard analysis: 600 s × 20,000 records/s over 5,000 keys -> ${shards} shards in ${recMs.toFixed(0)} ms`);
