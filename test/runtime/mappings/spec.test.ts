// Mappings declared in serverless.yml: one spec per stream event with stable UUIDs and the Serverless
// role, and syncConfigMappings adding, updating and removing them while API mappings stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import type { ServiceConfig, StreamEventConfig } from '../../../runtime/config/types.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { consumerKey, mappingSpecsFromConfig, stableMappingUuid } from '../../../runtime/mappings/spec.ts';
import { ACCOUNT, createStream, engineFor, fnConfig, REGION, spec, startFunctions, startKinesalite, streamArn, type Functions, type Kinesis } from './helpers.ts';

function event(stream: string, overrides: Partial<StreamEventConfig> = {}): StreamEventConfig {
  return {
    functionKey: 'ingest',
    arn: streamArn(stream),
    streamName: stream,
    batchSize: 10,
    batchWindow: 0,
    startingPosition: 'TRIM_HORIZON',
    startingPositionTimestamp: undefined,
    maximumRetryAttempts: -1,
    parallelizationFactor: 1,
    bisectBatchOnFunctionError: false,
    maximumRecordAgeInSeconds: -1,
    tumblingWindowInSeconds: 0,
    functionResponseType: undefined,
    filterPatterns: [],
    onFailure: undefined,
    enabled: true,
    consumer: false,
    ...overrides,
  };
}

function service(events: StreamEventConfig[]): ServiceConfig {
  return {
    dir: '/srv',
    service: 'svc',
    stage: 'dev',
    region: REGION,
    functions: { ingest: { ...fnConfig('ingest', 'record', {}), events } },
    streams: [],
    esbuild: {},
    eddy: { kinesisEndpoint: undefined, layers: {}, pollInterval: undefined },
    notices: [],
  };
}

const ctx = { region: REGION, accountId: ACCOUNT, nowMs: Date.UTC(2026, 0, 1) };

describe('mappings from serverless.yml', () => {
  it('derives one spec per stream event, with a UUID stable per function, stream and index', () => {
    const specs = mappingSpecsFromConfig(
      service([
        event('a'),
        event('a', { batchSize: 50, functionResponseType: 'ReportBatchItemFailures', filterPatterns: ['{"data":{"t":["x"]}}'] }),
        event('b', { consumer: 'arn:aws:kinesis:us-east-1:000000000000:stream/b/consumer/c:1' }),
      ]),
      ctx,
    );
    expect(specs.map((s) => s.uuid)).toEqual([
      stableMappingUuid('ingest', streamArn('a'), 0),
      stableMappingUuid('ingest', streamArn('a'), 1),
      stableMappingUuid('ingest', streamArn('b'), 2),
    ]);
    expect(new Set(specs.map((s) => s.uuid)).size).toBe(3);
    expect(specs[0]!.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mappingSpecsFromConfig(service([event('a')]), { ...ctx, nowMs: 0 })[0]!.uuid).toBe(specs[0]!.uuid);
    expect(specs[0]).toMatchObject({
      functionName: 'svc-dev-ingest',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-ingest',
      roleArn: 'arn:aws:iam::000000000000:role/svc-dev-us-east-1-lambdaRole',
      batchSize: 10,
      startingPosition: 'TRIM_HORIZON',
      origin: 'config',
      reportBatchItemFailures: false,
    });
    expect(specs[1]).toMatchObject({ batchSize: 50, reportBatchItemFailures: true, filterPatterns: ['{"data":{"t":["x"]}}'] });
    expect(specs[2]!.eventSourceArn).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/b/consumer/c:1');
  });

  it('reads a consumer: true event through the consumer registered for it, or the stream when none was', () => {
    const events = [event('a', { consumer: true, consumerName: 'ingestaConsumer' })];
    const consumerArn = `${streamArn('a')}/consumer/ingestaConsumer:1767225600`;
    const consumers = new Map([[consumerKey(streamArn('a'), 'ingestaConsumer'), consumerArn]]);
    const [withConsumer] = mappingSpecsFromConfig(service(events), { ...ctx, consumers });
    expect(withConsumer!.eventSourceArn).toBe(consumerArn);
    const [without] = mappingSpecsFromConfig(service(events), ctx);
    expect(without!.eventSourceArn).toBe(streamArn('a'));
    // The UUID is the stream's, whatever is read: checkpoints are found again.
    expect(withConsumer!.uuid).toBe(without!.uuid);
  });
});

describe('syncConfigMappings', () => {
  let k: Kinesis;
  let fns: Functions;
  let engine: MappingEngine;
  const root = new MemoryLogRoot();

  beforeAll(async () => {
    k = await startKinesalite();
    await createStream(k, 'a', 1);
    await createStream(k, 'b', 1);
    fns = await startFunctions(root, systemClock, { ingest: 'record', api: 'record' });
    engine = await engineFor(k, root, systemClock, fns);
  });

  afterAll(async () => {
    await engine?.close();
    await fns?.close();
    await k?.close();
  });

  it('adds, updates and removes config mappings and leaves API mappings alone', async () => {
    const api = spec('api', 'a');
    await engine.add(api);
    const v1 = mappingSpecsFromConfig(service([event('a'), event('b')]), ctx);
    await engine.syncConfigMappings(v1);
    expect(engine.list().map((m) => m.spec.uuid).sort()).toEqual([api.uuid, ...v1.map((s) => s.uuid)].sort());
    const v2 = mappingSpecsFromConfig(service([event('a', { batchSize: 99 })]), ctx);
    await engine.syncConfigMappings(v2);
    expect(engine.list().map((m) => m.spec.uuid).sort()).toEqual([api.uuid, v2[0]!.uuid].sort());
    expect(engine.get(v2[0]!.uuid)).toMatchObject({ spec: { batchSize: 99 }, state: 'Enabled' });
  });
});
