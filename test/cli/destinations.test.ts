// `eddy destinations`: the outbox of destinations eddy does not emulate, read from the data dir after a
// run and from the running eddy.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runEddy, startEddy, waitFor, type EddyProcess } from '../helpers/eddy-process.ts';

const fixture = path.resolve(import.meta.dirname, '../fixtures/destinations');
let tmp: string | undefined;
let eddy: EddyProcess | undefined;

afterEach(async () => {
  await eddy?.stop();
  eddy = undefined;
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it('lists the on-failure record of a failed async invocation, from the data dir and from a running eddy', async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-destinations-'));
  const where = ['--dir', fixture, '--data-dir', path.join(tmp, 'data')];
  const invoked = await runEddy(['invoke', 'fail', '--invocation-type', 'Event', ...where]);
  expect(invoked.stderr).not.toMatch(/error/i);
  expect(invoked.code).toBe(0);

  const fromFiles = await runEddy(['destinations', '--json', ...where]);
  expect(fromFiles.code).toBe(0);
  const entries = JSON.parse(fromFiles.stdout) as Array<{ arn: string; service: string; record: { requestContext: Record<string, unknown> } }>;
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({
    arn: 'arn:aws:sqs:us-east-1:000000000000:dead-letters',
    service: 'sqs',
    record: { requestContext: { condition: 'RetriesExhausted', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:dest-dev-fail:$LATEST' } },
  });

  eddy = await startEddy(['--port', '0', '--no-watch', ...where]);
  const table = await runEddy(['destinations', ...where]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/^TIME\s+SERVICE\s+DESTINATION\s+CONDITION\s+FUNCTION$/m);
  expect(table.stdout).toMatch(/\ssqs\s+arn:aws:sqs:us-east-1:000000000000:dead-letters\s+RetriesExhausted\s+dest-dev-fail\s*$/m);
  const other = await runEddy(['destinations', 'arn:aws:sns:us-east-1:000000000000:nothing', ...where]);
  expect(other.stdout).toBe('no destination records\n');
});

it("lists a mapping's on-failure record (Kinesis batch info) from a running eddy, and from the data dir after it stopped", async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eddy-destinations-'));
  const where = ['--dir', fixture, '--data-dir', path.join(tmp, 'data')];
  const queue = 'arn:aws:sqs:us-east-1:000000000000:stream-dead-letters';
  eddy = await startEddy(['--port', '0', '--no-watch', ...where]);
  const put = await runEddy(['put', 'events', '--data', '{"n":1}', '--partition-key', 'k', ...where]);
  expect(put.code).toBe(0);
  type Entry = { arn: string; service: string; record: Record<string, any> };
  const [entry] = await waitFor(async () => {
    const out = await runEddy(['destinations', queue, '--json', ...where]);
    const entries = JSON.parse(out.stdout) as Entry[];
    return entries.length > 0 && entries;
  }, 20_000, "the mapping's on-failure record");
  expect(entry).toMatchObject({ arn: queue, service: 'sqs' });
  const record = entry!.record;
  expect(Object.keys(record)).toEqual(['requestContext', 'responseContext', 'version', 'timestamp', 'KinesisBatchInfo']);
  expect(record['requestContext']).toMatchObject({
    condition: 'RetryAttemptsExhausted',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:dest-dev-consume',
    approximateInvokeCount: 1,
  });
  expect(record['responseContext']).toMatchObject({ functionError: 'Unhandled' });
  expect(record['KinesisBatchInfo']).toMatchObject({
    shardId: 'shardId-000000000000',
    batchSize: 1,
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
  });
  expect(record['KinesisBatchInfo']['startSequenceNumber']).toBe(record['KinesisBatchInfo']['endSequenceNumber']);

  const table = await runEddy(['destinations', ...where]);
  expect(table.stdout).toMatch(/\ssqs\s+arn:aws:sqs:us-east-1:000000000000:stream-dead-letters\s+RetryAttemptsExhausted\s+dest-dev-consume\s*$/m);
  await eddy.stop();
  eddy = undefined;
  const fromFiles = await runEddy(['destinations', queue, '--json', ...where]);
  expect(JSON.parse(fromFiles.stdout)).toEqual([entry]);
});
