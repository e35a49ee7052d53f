// SIGKILL `eddy start` mid-batch: a serverless.yml stream mapping (3 shards with parallelizationFactor 2,
// then 2 shards with PF 1; batch 10) on eddy's default disk data dir is killed while batches are in
// flight, and a second `eddy start` on the same dir finishes the stream. Every record is processed at least once, none is
// skipped, per-key order holds within each run, and the duplicates are only the batches in flight.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, expect, it } from 'vitest';
import { startEddy, waitFor, type EddyProcess } from '../helpers/eddy-process.ts';

/** Each shape runs once: lanes with their own checkpoints (PF > 1), and the plain shard checkpoint (PF 1). */
const SHAPES = [
  { shards: 3, pf: 2, batch: 10 },
  { shards: 2, pf: 1, batch: 10 },
];
const KEYS = 12;
const PER_KEY = 40;
/** In the first run, a batch holding a record whose counter is at least this waits for the hold file to go. */
const HOLD_FROM = 25;

let eddy: EddyProcess | undefined;
let tmp: string | undefined;

afterEach(async () => {
  await eddy?.kill();
  eddy = undefined;
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Appends one line per record (key, per-key counter, sequence number, eddy's pid), then lingers so that
// batches stay in flight; while HOLD_FILE exists, a batch reaching HOLD_FROM does not return at all.
const HANDLER = `import { appendFileSync, existsSync } from 'node:fs';
export const handler = async (event) => {
  const records = event.Records.map((r) => ({
    pk: r.kinesis.partitionKey,
    n: JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')).n,
    seq: r.kinesis.sequenceNumber,
    pid: process.pid,
  }));
  appendFileSync(process.env.OUT_FILE, records.map((r) => JSON.stringify(r) + '\\n').join(''));
  const held = records.some((r) => r.n >= Number(process.env.HOLD_FROM));
  do await new Promise((resolve) => setTimeout(resolve, 10));
  while (held && existsSync(process.env.HOLD_FILE));
};
`;

function serverlessYml(outFile: string, holdFile: string, shape: (typeof SHAPES)[number]): string {
  return `service: crash
provider:
  name: aws
  runtime: nodejs20.x
  timeout: 60
functions:
  consume:
    handler: handler.handler
    environment:
      OUT_FILE: ${JSON.stringify(outFile)}
      HOLD_FILE: ${JSON.stringify(holdFile)}
      HOLD_FROM: '${HOLD_FROM}'
    events:
      - stream:
          type: kinesis
          arn:
            Fn::GetAtt: [Events, Arn]
          batchSize: ${shape.batch}
          parallelizationFactor: ${shape.pf}
          startingPosition: TRIM_HORIZON
resources:
  Resources:
    Events:
      Type: AWS::Kinesis::Stream
      Properties:
        Name: events
        ShardCount: ${shape.shards}
`;
}

interface Line {
  pk: string;
  n: number;
  seq: string;
  pid: number;
}

async function lines(file: string): Promise<Line[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  // A line torn by the kill is not a delivery the handler finished writing: skip it.
  return text.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Line];
    } catch {
      return [];
    }
  });
}

const id = (l: { pk: string; n: number }): string => `${l.pk}#${l.n}`;

it.each(SHAPES)(
  'SIGKILL mid-batch ($shards shards, PF $pf, batch $batch): at least once, none skipped, per-key order, duplicates <= batches in flight',
  async (shape) => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-mapping-crash-'));
    const service = path.join(tmp, 'service');
    const outFile = path.join(tmp, 'seen.jsonl');
    const holdFile = path.join(tmp, 'hold');
    await mkdir(service);
    await writeFile(path.join(service, 'serverless.yml'), serverlessYml(outFile, holdFile, shape));
    await writeFile(path.join(service, 'handler.mjs'), HANDLER);
    await writeFile(holdFile, '');
    // No --data-dir: eddy's default, <dir>/.eddy on disk.
    const args = ['--port', '0', '--dir', service, '--no-watch'];

    eddy = await startEddy(args, {}, 30_000);
    const firstPid = eddy.child.pid!;
    const kinesis = new KinesisClient({
      endpoint: eddy.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
    // Round by round, so each key's counter rises in put order; sequence numbers by record.
    const seqOf = new Map<string, string>();
    for (let n = 0; n < PER_KEY; n += 10) {
      const records = Array.from({ length: 10 }, (_, j) => keys.map((pk) => ({ pk, n: n + j }))).flat();
      const out = await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'events',
          Records: records.map((r) => ({ PartitionKey: r.pk, Data: Buffer.from(JSON.stringify({ n: r.n })) })),
        }),
      );
      expect(out.FailedRecordCount).toBe(0);
      out.Records!.forEach((r, i) => seqOf.set(id(records[i]!), r.SequenceNumber!));
    }
    kinesis.destroy();
    const total = KEYS * PER_KEY;

    // Kill once checkpoints have had time to move and at least one held batch is in flight.
    await waitFor(
      async () => {
        const seen = await lines(outFile);
        return new Set(seen.map(id)).size >= total / 3 && seen.some((l) => l.n >= HOLD_FROM);
      },
      30_000,
      'progress and a held batch before the kill',
    );
    await eddy.kill();
    expect(existsSync(path.join(service, '.eddy')), 'the default data dir').toBe(true);
    const run1 = await lines(outFile);
    expect(new Set(run1.map(id)).size).toBeLessThan(total);
    expect(run1.every((l) => l.pid === firstPid)).toBe(true);

    await rm(holdFile);
    eddy = await startEddy(args, {}, 30_000);
    await waitFor(async () => new Set((await lines(outFile)).map(id)).size === total, 30_000, 'every record after the restart');
    const all = await lines(outFile);
    const run2 = all.filter((l) => l.pid !== firstPid);
    expect(all.length - run2.length).toBe(run1.length);
    expect(run2.every((l) => l.pid === eddy!.child.pid)).toBe(true);

    // Each delivery is the record that was put: same key, counter and sequence number.
    for (const l of all) expect(l.seq).toBe(seqOf.get(id(l)));
    for (const pk of keys) {
      const got1 = run1.filter((l) => l.pk === pk).map((l) => l.n);
      const got2 = run2.filter((l) => l.pk === pk).map((l) => l.n);
      // Per key, each run delivered in put order, each record once.
      for (const got of [got1, got2]) {
        expect(got, `${pk} in order`).toEqual([...got].sort((a, b) => a - b));
        expect(new Set(got).size, `${pk} once per run`).toBe(got.length);
      }
      // Run 1 started at the first record; run 2 resumed without a gap and went to the end.
      expect(got1, `${pk} run 1`).toEqual(Array.from({ length: got1.length }, (_, i) => i));
      const resumedAt = got2[0] ?? PER_KEY;
      expect(resumedAt, `${pk} resumed without a gap`).toBeLessThanOrEqual(got1.length);
      expect(got2, `${pk} run 2`).toEqual(Array.from({ length: PER_KEY - resumedAt }, (_, i) => resumedAt + i));
    }
    // A held batch never returned, so it was never checkpointed: run 2 delivers it again.
    const seen2 = new Set(run2.map(id));
    for (const l of run1.filter((l) => l.n >= HOLD_FROM)) expect(seen2.has(id(l)), `${id(l)} redelivered`).toBe(true);
    // Duplicates: at most one batch per lane (shards x PF) was in flight or not yet checkpointed.
    const seen1 = new Set(run1.map(id));
    const duplicates = run2.filter((l) => seen1.has(id(l))).length;
    expect(duplicates).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(shape.shards * shape.pf * shape.batch);
  },
  120_000,
);
