// `eddy destinations`: the outbox of destinations eddy does not emulate, read from the data dir after a
// run and from the running eddy.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runEddy, startEddy, type EddyProcess } from '../helpers/eddy-process.ts';

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
