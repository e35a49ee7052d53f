// The Lambda event-source-mapping API through @aws-sdk/client-lambda: AWS's defaults, states, results,
// validation errors, listing, disable / re-enable from the checkpoint, delete.
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import { createMappingsApi } from '../../../runtime/mappings/api/index.ts';
import type { MappingEngine } from '../../../runtime/mappings/engine.ts';
import { listen, type Listener } from '../../../runtime/server/listener.ts';
import { CREDENTIALS, createStream, engineFor, linesOf, put, REGION, startFunctions, startKinesalite, streamArn, waitFor, type Functions, type Kinesis, type Seen } from './helpers.ts';

let k: Kinesis;
let fns: Functions;
let engine: MappingEngine;
let listener: Listener;
let lambda: LambdaClient;
const root = new MemoryLogRoot();
const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

beforeAll(async () => {
  k = await startKinesalite();
  fns = await startFunctions(root, systemClock, { consumer: 'record', failing: 'poison', other: 'record' });
  engine = await engineFor(k, root, systemClock, fns);
  const api = createMappingsApi({ engine, functions: fns.lambda.invoker.resolver, region: REGION, accountId: '000000000000' });
  listener = await listen({
    port: 0,
    host: '127.0.0.1',
    handler: (req, res) => {
      if (api.matches(req)) api.handle(req, res);
      else {
        res.writeHead(418);
        res.end();
      }
    },
  });
  lambda = new LambdaClient({ endpoint: `http://127.0.0.1:${listener.port}`, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  await createStream(k, 'api-stream', 2);
  await createStream(k, 'api-other', 1);
});

afterAll(async () => {
  lambda?.destroy();
  await listener?.close();
  await engine?.close();
  await fns?.close();
  await k?.close();
});

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('event-source mappings through the Lambda API', () => {
  let uuid: string;

  it('creates a mapping with AWS defaults (202, State Creating, then Enabled) and feeds the function', async () => {
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: streamArn('api-stream'), StartingPosition: 'TRIM_HORIZON' }),
    );
    expect(created.$metadata.httpStatusCode).toBe(202);
    uuid = created.UUID!;
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      EventSourceArn: streamArn('api-stream'),
      FunctionArn: `${FN_ARN}:svc-dev-consumer`,
      LastProcessingResult: 'No records processed',
      State: 'Creating',
      StateTransitionReason: 'User action',
      DestinationConfig: { OnFailure: {} },
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: -1,
      TumblingWindowInSeconds: 0,
      FunctionResponseTypes: [],
      EventSourceMappingArn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${uuid}`,
    });
    expect(created.LastModified).toBeInstanceOf(Date);
    expect(Math.abs(created.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', 'Enabled');

    await put(k, 'api-stream', Array.from({ length: 20 }, (_, i) => ({ pk: `k${i}`, data: { i } })));
    await engine.drain({ timeoutMs: 15_000 });
    const seen = (await linesOf<Seen>(fns.out, 'consumer')).flatMap((l) => l.records.map((r) => r.data['i']));
    expect(seen.sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    expect(got).toMatchObject({ UUID: uuid, State: 'Enabled', LastProcessingResult: 'OK', BatchSize: 100 });
  });

  it('disables (Disabling -> Disabled) and re-enables (Enabling -> Enabled), resuming from the checkpoint', async () => {
    const disabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    expect(disabled.$metadata.httpStatusCode).toBe(202);
    expect(disabled.State).toBe('Disabling');
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Disabled', 'Disabled');
    expect(engine.status().find((s) => s.uuid === uuid)!.shards).toEqual([]);
    await put(k, 'api-stream', Array.from({ length: 10 }, (_, i) => ({ pk: `k${i}`, data: { i: 20 + i } })));

    const enabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true, BatchSize: 3 }));
    expect(enabled).toMatchObject({ State: 'Enabling', BatchSize: 3 });
    await waitFor(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === 'Enabled', 'Enabled');
    await engine.drain({ timeoutMs: 15_000 });
    const lines = await linesOf<Seen>(fns.out, 'consumer');
    const seen = lines.flatMap((l) => l.records.map((r) => r.data['i'] as number));
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(lines.slice(-2).every((l) => l.records.length <= 3)).toBe(true);
  });

  it('reports PROBLEM: Function call failed for a failing function', async () => {
    await createStream(k, 'api-failing', 1);
    await put(k, 'api-failing', [{ pk: 'k', data: { poison: true } }]);
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: `${FN_ARN}:svc-dev-failing`,
        EventSourceArn: streamArn('api-failing'),
        StartingPosition: 'TRIM_HORIZON',
        MaximumRetryAttempts: 0,
      }),
    );
    await waitFor(
      async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID! }))).LastProcessingResult === 'PROBLEM: Function call failed',
      'the failure',
    );
  });

  it('lists by function and by source, with MaxItems and Marker', async () => {
    const other = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'other', EventSourceArn: streamArn('api-other'), StartingPosition: 'LATEST', BatchSize: 5 }),
    );
    const all = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(all.EventSourceMappings!.map((m) => m.UUID)).toContain(other.UUID);
    const byFunction = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'svc-dev-other' }));
    expect(byFunction.EventSourceMappings!.map((m) => m.UUID)).toEqual([other.UUID]);
    const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: streamArn('api-stream') }));
    expect(bySource.EventSourceMappings!.map((m) => m.UUID)).toEqual([uuid]);
    const page1 = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2 }));
    expect(page1.EventSourceMappings).toHaveLength(2);
    expect(page1.NextMarker).toBeDefined();
    const page2 = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: page1.NextMarker }));
    expect(page2.NextMarker).toBeUndefined();
    expect([...page1.EventSourceMappings!, ...page2.EventSourceMappings!].map((m) => m.UUID).sort()).toEqual(
      all.EventSourceMappings!.map((m) => m.UUID).sort(),
    );
  });

  it.each([
    [
      'a missing StartingPosition',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing') },
      'InvalidParameterValueException',
      "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
    ],
    [
      'an unknown StartingPosition',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'EARLIEST' },
      'ValidationException',
      "1 validation error detected: Value 'EARLIEST' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
    ],
    [
      'BatchSize 0',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'LATEST', BatchSize: 0 },
      'ValidationException',
      "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
    ],
    [
      'ParallelizationFactor 11',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'LATEST', ParallelizationFactor: 11 },
      'ValidationException',
      "1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10",
    ],
    [
      'MaximumRecordAgeInSeconds 0 (in the model range, below the service minimum of 60)',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'LATEST', MaximumRecordAgeInSeconds: 0 },
      'InvalidParameterValueException',
      'MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)',
    ],
    [
      'MaximumRecordAgeInSeconds 59 (in the model range, below the service minimum of 60)',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'LATEST', MaximumRecordAgeInSeconds: 59 },
      'InvalidParameterValueException',
      'MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)',
    ],
    [
      'an invalid filter pattern',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'LATEST', FilterCriteria: { Filters: [{ Pattern: '{"data": "x"}' }] } },
      'InvalidParameterValueException',
      'Invalid filter pattern definition.',
    ],
    [
      'an OnSuccess destination',
      { FunctionName: 'other', EventSourceArn: streamArn('api-failing'), StartingPosition: 'LATEST', DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sqs:us-east-1:000000000000:q' } } },
      'InvalidParameterValueException',
      'Unsupported DestinationConfig parameter for given event source mapping type.',
    ],
  ])('refuses %s with 400', async (_what, input, name, message) => {
    const err = await failure(lambda.send(new CreateEventSourceMappingCommand(input as never)));
    expect(err).toEqual({ name, message, status: 400 });
  });

  it('refuses an unknown function with 404, and a second mapping of the same function and stream with 409', async () => {
    expect(await failure(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'nope', EventSourceArn: streamArn('api-stream'), StartingPosition: 'LATEST' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${FN_ARN}:nope`,
      status: 404,
    });
    const dup = await failure(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: streamArn('api-stream'), StartingPosition: 'LATEST' })),
    );
    expect(dup).toEqual({
      name: 'ResourceConflictException',
      message: `The event source arn (" ${streamArn('api-stream')} ") and function (" svc-dev-consumer ") provided mapping already exists. Please update or delete the existing mapping with UUID ${uuid}`,
      status: 409,
    });
  });

  it('refuses MaximumRecordAgeInSeconds 1..59 on update too, and takes 60 and -1', async () => {
    const err = await failure(lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, MaximumRecordAgeInSeconds: 30 })));
    expect(err).toEqual({
      name: 'InvalidParameterValueException',
      message: 'MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)',
      status: 400,
    });
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).MaximumRecordAgeInSeconds).toBe(-1);
    for (const age of [60, -1]) {
      expect((await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, MaximumRecordAgeInSeconds: age }))).MaximumRecordAgeInSeconds).toBe(age);
    }
  });

  it('deletes (202, Deleting) and then answers 404 for the UUID', async () => {
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    expect(deleted.$metadata.httpStatusCode).toBe(202);
    expect(deleted.State).toBe('Deleting');
    await waitFor(() => engine.get(uuid) === undefined, 'deleted');
    for (const send of [
      () => lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })),
      () => lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false })),
      () => lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })),
    ]) {
      expect(await failure(send())).toEqual({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.', status: 404 });
    }
  });
});
