// The in-process transport: an SDK client whose requestHandler hands requests to the KinesisService
// without a socket gets the same answers, bytes and errors as a client on the wire.
import http from 'node:http';
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessHttpHandler } from '../../../runtime/kinesis/in-process-handler.ts';
import { CREDENTIALS, REGION, createActiveStream, startKinesis, type KinesisHarness } from '../../helpers/kinesis.ts';

let k: KinesisHarness;

beforeEach(async () => {
  k = await startKinesis();
});

afterEach(() => k.close());

/** A raw request on the wire; resolves with status, headers and body. */
function onTheWire(
  endpoint: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ statusCode: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${endpoint}/`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SIGNED = {
  authorization: 'AWS4-HMAC-SHA256 Credential=test/20261206/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=abc',
  'x-amz-date': '20261206T000000Z',
};

describe('InProcessHttpHandler', () => {
  it('serves an SDK client without a socket: nothing listens on its endpoint', async () => {
    const client = new KinesisClient({
      endpoint: 'http://127.0.0.1:9',
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      requestHandler: new InProcessHttpHandler(k.service),
    });
    try {
      await createActiveStream(k, 'no-socket', 1);
      const data = [Buffer.from('one'), Buffer.from('two'), Buffer.from([0, 255, 1])];
      const put = await client.send(
        new PutRecordsCommand({ StreamName: 'no-socket', Records: data.map((Data, i) => ({ PartitionKey: `pk-${i}`, Data })) }),
      );
      expect(put.FailedRecordCount).toBe(0);
      const it = await client.send(
        new GetShardIteratorCommand({ StreamName: 'no-socket', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
      expect(got.Records!.map((r) => Buffer.from(r.Data!))).toEqual(data);
      expect(got.Records!.map((r) => r.SequenceNumber)).toEqual(put.Records!.map((r) => r.SequenceNumber));
      expect(got.Records![0]!.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
      expect(got.MillisBehindLatest).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it("surfaces the service's errors as the SDK's exceptions, as on the wire", async () => {
    for (const transport of ['h1', 'in-process'] as const) {
      const err = await k
        .client(transport)
        .send(new DescribeStreamSummaryCommand({ StreamName: 'missing' }))
        .catch((e: unknown) => e);
      expect(err, transport).toBeInstanceOf(ResourceNotFoundException);
      expect((err as ResourceNotFoundException).message).toBe('Stream missing under account 000000000000 not found.');
      expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);
      expect((err as ResourceNotFoundException).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const invalid = await k
      .client('in-process')
      .send(new GetRecordsCommand({ ShardIterator: 'x', Limit: 10_001 }))
      .then(() => new Error('resolved'), (e: unknown) => e as Error);
    expect(invalid.name).toBe('ValidationException');
    expect(invalid.message).toBe(
      "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
    );
  });

  it('rejects with an AbortError when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await k
      .client('in-process')
      .send(new ListStreamsCommand({}), { abortSignal: controller.signal })
      .then(() => new Error('resolved'), (e: unknown) => e as Error);
    expect(err.name).toBe('AbortError');
  });
});

describe('KinesisService.exchange', () => {
  const cases: Array<{ what: string; method: string; headers: Record<string, string>; body: string }> = [
    {
      what: 'an operation',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.DescribeStreamSummary', ...SIGNED },
      body: '{"StreamName":"missing"}',
    },
    {
      what: 'no authentication',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' },
      body: '{}',
    },
    {
      what: 'an unknown operation',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.Nope', ...SIGNED },
      body: '{}',
    },
    {
      what: 'a body that is not JSON',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams', ...SIGNED },
      body: '{',
    },
    { what: 'a GET', method: 'GET', headers: {}, body: '' },
  ];

  it.each(cases)('answers $what with the status, type, error header and body a socket gets', async ({ method, headers, body }) => {
    const wire = await onTheWire(k.endpoint, method, headers, body);
    const local = await k.service.exchange({ method, path: '/', headers, body: Buffer.from(body) });
    expect(local.statusCode).toBe(wire.statusCode);
    expect(local.headers['content-type']).toBe(wire.headers['content-type']);
    expect(local.headers['x-amzn-errortype']).toBe(wire.headers['x-amzn-errortype']);
    expect(local.body.toString('utf8')).toBe(wire.body);
    expect(Number(local.headers['content-length'])).toBe(local.body.length);
    expect(local.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
