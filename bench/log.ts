// Log storage bench: append throughput of 100-byte records in batches of 500 into the disk root (default
// durability and --fsync, one batch and 8 batches in flight) against raw fs appends of the same bytes
// measured in the same run, then RSS while the disk root holds 5 million 100-byte records in 4 shards.
// Usage: node bin/run-ts.js bench/log.ts [--quick]   (--hold: only the holding run, in this process)
import { spawn } from 'node:child_process';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDiskRoot } from '../runtime/log/disk-root.ts';
import { encodeRecord, recordBytes } from '../runtime/log/record-codec.ts';
import type { LogRoot, NewRecord, ShardLog } from '../runtime/log/types.ts';

const quick = process.argv.includes('--quick');
const BATCH = 500;
const DATA_BYTES = 100;
const RUNS = quick ? 3 : 5;
const BATCHES = quick ? 200 : 600; // per run without fsync
const FSYNC_BATCHES = quick ? 40 : 120; // per run with fsync
const HOLD_RECORDS = quick ? 1_000_000 : 5_000_000;
const HOLD_SHARDS = 4;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function makeBatch(seed: number): NewRecord[] {
  const now = Date.now();
  return Array.from({ length: BATCH }, (_, i) => ({
    partitionKey: `pk-${(seed * BATCH + i) % 10_000}`,
    data: new Uint8Array(DATA_BYTES).fill((seed + i) & 0xff),
    arrivalMs: now,
  }));
}

/** The batch as the disk root lays it out, so the baseline writes exactly the same bytes. */
function encodeBatch(records: NewRecord[]): Buffer {
  let total = 0;
  for (const r of records) total += recordBytes(Buffer.byteLength(r.partitionKey), r.data.length);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const r of records) at = encodeRecord(buf, at, r.arrivalMs, 0, r.partitionKey, Buffer.byteLength(r.partitionKey), r.data);
  return buf;
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-bench-log-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** records/s of appending `batches` batches with one fs write (and fdatasync) per batch. */
async function rawAppend(batches: number, fsync: boolean, encoded: Buffer[]): Promise<number> {
  return withDir(async (dir) => {
    const fh = await open(join(dir, 'raw.log'), 'a');
    const start = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) {
      await fh.write(encoded[b % encoded.length]!);
      if (fsync) await fh.datasync();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await fh.close();
    return (batches * BATCH) / seconds;
  });
}

/** records/s of appending `batches` batches to one shard of a disk root, `inFlight` at a time. */
async function rootAppend(batches: number, fsync: boolean, inFlight: number, source: NewRecord[][]): Promise<number> {
  return withDir(async (dir) => {
    const root = await openDiskRoot(dir, { fsync });
    const shard = await root.openShard('bench', 'shardId-000000000000');
    const start = process.hrtime.bigint();
    await appendMany(shard, batches, inFlight, source);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await root.close();
    return (batches * BATCH) / seconds;
  });
}

async function appendMany(shard: ShardLog, batches: number, inFlight: number, source: NewRecord[][]): Promise<void> {
  const pending = new Set<Promise<void>>();
  for (let b = 0; b < batches; b++) {
    const p: Promise<void> = shard.append(source[b % source.length]!).written.then(() => void pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** Runs every case once per round (round-robin, so a busy moment of the machine hits all alike); medians. */
async function measureAll(cases: { name: string; run: () => Promise<number> }[]): Promise<Map<string, number>> {
  for (const c of cases) await c.run(); // warm-up
  const runs = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < RUNS; i++) for (const c of cases) runs.get(c.name)!.push(await c.run());
  return new Map([...runs].map(([name, xs]) => [name, median(xs)]));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const source = Array.from({ length: 16 }, (_, i) => makeBatch(i));
  const encoded = source.map(encodeBatch);
  console.log(
    `log storage bench: ${DATA_BYTES}-byte records, batches of ${BATCH}, median of ${RUNS} runs ` +
      `(${BATCHES} batches a run, ${FSYNC_BATCHES} with fsync), node ${process.version}`,
  );

  const raw = 'raw fs write per batch';
  const rawSync = 'raw fs write + fdatasync per batch';
  const cases = [
    { name: raw, baseline: raw, run: () => rawAppend(BATCHES, false, encoded) },
    { name: 'disk root, 1 batch in flight', baseline: raw, run: () => rootAppend(BATCHES, false, 1, source) },
    { name: 'disk root, 8 batches in flight', baseline: raw, run: () => rootAppend(BATCHES, false, 8, source) },
    { name: rawSync, baseline: rawSync, run: () => rawAppend(FSYNC_BATCHES, true, encoded) },
    { name: 'disk root --fsync, 1 batch in flight', baseline: rawSync, run: () => rootAppend(FSYNC_BATCHES, true, 1, source) },
    { name: 'disk root --fsync, 8 batches in flight', baseline: rawSync, run: () => rootAppend(FSYNC_BATCHES, true, 8, source) },
  ];
  const medians = await measureAll(cases);
  const rows = cases.map((c) => ({ name: c.name, median: medians.get(c.name)!, baseline: medians.get(c.baseline)! }));
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'case'.padEnd(width)}  ${'records/s'.padStart(11)}  vs raw fs`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(width)}  ${fmt(r.median).padStart(11)}  ${(r.median / r.baseline).toFixed(2).padStart(9)}`);
  }

  // Holding 5M records runs in a fresh process, so its RSS is not what the runs above left behind.
  const runTs = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [runTs, self, ...process.argv.slice(2), '--hold'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the holding run failed (${code})`);
}

/** Fills 4 shards with 5M records, prints RSS, a read rate, and the time a restart takes to recover them. */
async function hold(): Promise<void> {
  const source = Array.from({ length: 16 }, (_, i) => makeBatch(i));
  await withDir(async (dir) => {
    const root: LogRoot = await openDiskRoot(dir, { fsync: false });
    const shards = await Promise.all(Array.from({ length: HOLD_SHARDS }, (_, i) => root.openShard('hold', `shardId-00000000000${i}`)));
    const rssBefore = process.memoryUsage().rss;
    const start = process.hrtime.bigint();
    const perShard = HOLD_RECORDS / HOLD_SHARDS / BATCH;
    await Promise.all(shards.map((shard) => appendMany(shard, perShard, 8, source)));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const held = shards.reduce((n, s) => n + Number(s.nextIndex), 0);
    const mem = process.memoryUsage();
    // GetRecords-sized reads (10 000 records) through one shard, from the start.
    const readStart = process.hrtime.bigint();
    let read = 0;
    for (let from = 0n; read < 200_000; ) {
      const page = await shards[0]!.read(from, 10_000, 10 * 1024 * 1024);
      read += page.length;
      from = page.at(-1)!.index + 1n;
    }
    const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
    const memAfterRead = process.memoryUsage();
    console.log(
      `holding ${fmt(held)} records in ${HOLD_SHARDS} shards (filled at ${fmt(held / seconds)} records/s): ` +
        `RSS ${mb(mem.rss)} (${mb(rssBefore)} before filling; heap ${mb(mem.heapUsed)}, buffers ${mb(mem.arrayBuffers)}), ` +
        `target < 300 MB`,
    );
    console.log(
      `reading 10 000-record pages from one shard: ${fmt(read / readSeconds)} records/s, RSS after ${mb(memAfterRead.rss)}`,
    );
    await root.close();
    // A restart: every segment is read through and every checksum verified to rebuild the sparse index.
    const reopenStart = process.hrtime.bigint();
    const again = await openDiskRoot(dir, { fsync: false });
    const recovered = await Promise.all(shards.map((_, i) => again.openShard('hold', `shardId-00000000000${i}`)));
    const reopenSeconds = Number(process.hrtime.bigint() - reopenStart) / 1e9;
    const count = recovered.reduce((n, s) => n + Number(s.nextIndex), 0);
    console.log(
      `restart: recovered ${fmt(count)} records in ${reopenSeconds.toFixed(2)} s (${fmt(count / reopenSeconds)} records/s), ` +
        `RSS ${mb(process.memoryUsage().rss)}`,
    );
    await again.close();
  });
}

if (process.argv.includes('--hold')) await hold();
else await main();
