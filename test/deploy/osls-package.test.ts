// The way out: the demo's serverless.yml is a valid Serverless Framework file that packages, offline, into
// a CloudFormation template with the functions, the streams and the event-source mappings.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
let work: string | undefined;

afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  work = undefined;
});

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

it('osls package turns the demo into a CloudFormation template with functions, streams and mappings', async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'eddy-osls-'));
  await cp(path.join(repo, 'serverless.yml'), path.join(work, 'serverless.yml'));
  await cp(path.join(repo, 'functions'), path.join(work, 'functions'), { recursive: true });
  await cp(path.join(repo, 'package.json'), path.join(work, 'package.json'));
  await symlink(path.join(repo, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  await run(process.execPath, [path.join(repo, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'ci'], {
    cwd: work,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', SLS_TELEMETRY_DISABLED: '1' },
    timeout: 120_000,
  });
  const template = JSON.parse(
    await readFile(path.join(work, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  const byType = (type: string): Array<[string, Template['Resources'][string]]> =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  const functions = byType('AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName);
  expect(functions.sort()).toEqual(
    ['aggregate', 'alert', 'dispatcher', 'enrich', 'ingest', 'notify', 'reindex', 'validate'].map((f) => `eddy-demo-ci-${f}`),
  );
  const alert = byType('AWS::Lambda::Function').find(([id]) => id === 'AlertLambdaFunction')![1];
  expect(alert.Properties.MemorySize).toBe(1024);

  const streams = Object.fromEntries(byType('AWS::Kinesis::Stream').map(([id, r]) => [id, r.Properties]));
  expect(streams.EventsStream).toMatchObject({ Name: 'eddy-demo-ci-events', ShardCount: 2 });
  expect(streams.UrgentStream).toMatchObject({ Name: 'eddy-demo-ci-urgent', ShardCount: 4 });

  const mappings = Object.fromEntries(byType('AWS::Lambda::EventSourceMapping').map(([id, r]) => [id, r.Properties]));
  expect(mappings.ValidateEventSourceMappingKinesisEventsStream).toMatchObject({
    BatchSize: 100,
    StartingPosition: 'TRIM_HORIZON',
    EventSourceArn: { 'Fn::GetAtt': ['EventsStream', 'Arn'] },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    MaximumRetryAttempts: 2,
    BisectBatchOnFunctionError: true,
    FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { type: ['click', 'view', 'purchase'] } }) }] },
  });
  expect(mappings.AggregateEventSourceMappingKinesisEnrichedStream).toMatchObject({ TumblingWindowInSeconds: 5 });
  expect(mappings.EnrichEventSourceMappingKinesisValidStream).toMatchObject({ ParallelizationFactor: 2 });
  expect(mappings.AlertEventSourceMappingKinesisUrgentStream).toMatchObject({ BatchSize: 1 });

  // serverless-esbuild bundled the TypeScript handlers into JavaScript for Lambda.
  // Entry names are stored uncompressed in a zip's headers, so the archive's bytes show what it holds.
  const zip = (await readFile(path.join(work, '.serverless/eddy-demo.zip'))).toString('latin1');
  expect(zip).toContain('functions/validate.js');
  expect(zip).not.toContain('functions/validate.ts');
});
