// The wire protocol as clients other than the SDK can exercise it: raw HTTP/1.1 and HTTP/2 requests,
// CBOR, bad input, oversize bodies and stalled clients.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { ListStreamsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { decode as cborDecode, encode as cborEncode, Tag } from 'cbor2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../runtime/kinesis/protocol.ts';
import { awsError, createActiveStream, rawRequest, startKinesis, type KinesisHarness } from '../../helpers/kinesis.ts';

let k: KinesisHarness;
beforeEach(async () => {
  k = await startKinesis();
});
afterEach(async () => {
  await k.close();
});

describe('request checks, in AWS’s order', () => {
  it('answers every response with x-amzn-RequestId and x-amz-id-2', async () => {
    const res = await rawRequest(k.endpoint, { target: 'ListStreams', body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-amz-id-2']).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(res.json).toEqual({ StreamNames: [], HasMoreStreams: false, StreamSummaries: [] });
    const bad = await rawRequest(k.endpoint, { target: 'ListStreams', body: '{' });
    expect(bad.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-amzn-requestid']).not.toBe(res.headers['x-amzn-requestid']);
  });

  it('refuses a method other than POST with a 403 AccessDeniedException', async () => {
    const res = await rawRequest(k.endpoint, { method: 'GET', target: 'ListStreams' });
    expect(res.status).toBe(403);
    expect(res.text).toBe(
      '<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n',
    );
    expect(res.headers['x-amzn-requestid']).toBeDefined();
  });

  it('answers malformed JSON and a non-object body with SerializationException', async () => {
    for (const body of ['{"StreamName": ', 'null', '[1]', '"x"', '12']) {
      const res = await rawRequest(k.endpoint, { target: 'DescribeStream', body });
      expect(res.status, body).toBe(400);
      expect(res.json, body).toEqual({ __type: 'SerializationException' });
    }
  });

  it('answers an empty body with SerializationException for a known operation, UnknownOperationException otherwise', async () => {
    expect((await rawRequest(k.endpoint, { target: 'ListStreams' })).json).toEqual({ __type: 'SerializationException' });
    expect((await rawRequest(k.endpoint, { target: 'Nope' })).json).toEqual({ __type: 'UnknownOperationException' });
  });

  it('answers an unknown target with UnknownOperationException before checking authentication', async () => {
    for (const target of ['Kinesis_20131202.Frobnicate', 'Kinesis_20131202', 'DynamoDB_20120810.ListTables', 'Kinesis_20131202.listStreams']) {
      const res = await rawRequest(k.endpoint, { target, body: '{}', noAuth: true });
      expect(res.status, target).toBe(400);
      expect(res.json, target).toEqual({ __type: 'UnknownOperationException' });
    }
    const none = await rawRequest(k.endpoint, { body: '{}' });
    expect(none.json).toEqual({ __type: 'UnknownOperationException' });
  });

  it('answers a missing Authorization header with MissingAuthenticationTokenException', async () => {
    const res = await rawRequest(k.endpoint, { target: 'ListStreams', body: '{}', noAuth: true });
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException:');
    expect(res.json).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });

  it('answers an incomplete Authorization header with IncompleteSignatureException', async () => {
    const res = await rawRequest(k.endpoint, {
      target: 'ListStreams',
      body: '{}',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: 'IncompleteSignatureException',
      message:
        "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
        'Authorization=AWS4-HMAC-SHA256 Credential=x',
    });
  });

  it('answers an unsupported content type as AWS does (403 without a target, 404 with one)', async () => {
    const noTarget = await rawRequest(k.endpoint, { contentType: 'text/plain', body: '{}' });
    expect(noTarget.status).toBe(403);
    expect(noTarget.text).toContain('<AccessDeniedException>');
    const withTarget = await rawRequest(k.endpoint, { contentType: 'text/plain', target: 'ListStreams', body: '{}' });
    expect(withTarget.status).toBe(404);
    expect(withTarget.text).toBe('<UnknownOperationException/>\n');
  });

  it('accepts application/x-amz-json-1.0 and answers in it', async () => {
    const res = await rawRequest(k.endpoint, { contentType: 'application/x-amz-json-1.0', target: 'ListStreams', body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.0');
  });

  it('answers wrong JSON types with SerializationException and AWS’s text', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['CreateStream', { StreamName: 's', ShardCount: 'one' }, 'class java.lang.String can not be converted to an Integer'],
      ['CreateStream', { StreamName: 's', ShardCount: true }, 'class java.lang.Boolean can not be converted to an Integer'],
      ['CreateStream', { StreamName: 5, ShardCount: 1 }, 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String'],
      ['CreateStream', { StreamName: ['s'], ShardCount: 1 }, 'Start of list found where not expected'],
      ['CreateStream', { StreamName: { a: 1 }, ShardCount: 1 }, 'Start of structure or map found where not expected.'],
      ['CreateStream', { StreamName: 's', Tags: ['a'] }, 'Start of list found where not expected'],
      ['CreateStream', { StreamName: 's', Tags: 'a' }, 'Expected map or null'],
      ['DeleteStream', { StreamName: 's', EnforceConsumerDeletion: 'yes' }, "'YES' can not be converted to an Boolean"],
      ['RemoveTagsFromStream', { StreamName: 's', TagKeys: 'a' }, 'Expected list or null'],
      ['ListStreamConsumers', { StreamARN: 'x', StreamCreationTimestamp: 'now' }, 'class java.lang.String can not be converted to milliseconds since epoch'],
    ];
    for (const [target, body, message] of cases) {
      const res = await rawRequest(k.endpoint, { target, body: JSON.stringify(body) });
      expect(res.status, message).toBe(400);
      expect(res.json, message).toEqual({ __type: 'SerializationException', Message: message });
    }
  });

  it('drops unknown and null members and floors numbers, as AWS does', async () => {
    const res = await rawRequest(k.endpoint, {
      target: 'CreateStream',
      body: JSON.stringify({ StreamName: 'floored', ShardCount: 2.9, Bogus: 1, Tags: null }),
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(k.service.store.get('floored')!.meta.shards).toHaveLength(2);
  });

  it('reports several constraint violations in one ValidationException', async () => {
    const res = await rawRequest(k.endpoint, {
      target: 'CreateStream',
      body: JSON.stringify({ StreamName: 'a b', ShardCount: 0 }),
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      __type: 'ValidationException',
      message:
        "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    });
  });
});

describe('CBOR (application/x-amz-cbor-1.1, as the Java SDK and KCL send)', () => {
  function cborRequest(target: string, body: unknown): Promise<{ status: number; type: string | undefined; data: unknown }> {
    const bytes = cborEncode(body);
    return new Promise((resolve, reject) => {
      const url = new URL(k.endpoint);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent: false,
          headers: {
            'content-type': 'application/x-amz-cbor-1.1',
            'x-amz-target': `Kinesis_20131202.${target}`,
            'x-amz-date': '20260101T000000Z',
            authorization: 'AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            resolve({
              status: res.statusCode!,
              type: res.headers['content-type'],
              data: buf.length ? cborDecode(buf, { ignoreGlobalTags: true }) : undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(bytes);
    });
  }

  it('decodes CBOR requests and answers in CBOR, timestamps as tag 1 + epoch ms', async () => {
    const created = await cborRequest('CreateStream', { StreamName: 'cb', ShardCount: 2 });
    expect(created.status).toBe(200);
    expect(created.type).toBe('application/x-amz-cbor-1.1');
    const before = Date.now();
    const out = await cborRequest('DescribeStreamSummary', { StreamName: 'cb' });
    expect(out.status).toBe(200);
    const summary = (out.data as { StreamDescriptionSummary: Record<string, unknown> }).StreamDescriptionSummary;
    expect(summary['StreamName']).toBe('cb');
    expect(summary['OpenShardCount']).toBeTypeOf('number');
    const ts = summary['StreamCreationTimestamp'] as Tag;
    expect(ts).toBeInstanceOf(Tag);
    expect(ts.tag).toBe(1);
    expect(Math.abs((ts.contents as number) - before)).toBeLessThan(60_000);
  });

  it('round-trips record data as CBOR byte strings (PutRecord, GetShardIterator, GetRecords)', async () => {
    await createActiveStream(k, 'cbr');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const put = await cborRequest('PutRecord', { StreamName: 'cbr', PartitionKey: 'k', Data: bytes });
    expect(put.status).toBe(200);
    const { ShardId, SequenceNumber } = put.data as { ShardId: string; SequenceNumber: string };
    expect(ShardId).toBe('shardId-000000000000');
    const it = await cborRequest('GetShardIterator', {
      StreamName: 'cbr',
      ShardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: SequenceNumber,
    });
    const got = await cborRequest('GetRecords', { ShardIterator: (it.data as { ShardIterator: string }).ShardIterator });
    expect(got.status).toBe(200);
    const records = (got.data as { Records: Array<Record<string, unknown>> }).Records;
    expect(records).toHaveLength(1);
    expect(records[0]!['Data']).toBeInstanceOf(Uint8Array);
    expect([...(records[0]!['Data'] as Uint8Array)]).toEqual([...bytes]);
    expect(records[0]!['SequenceNumber']).toBe(SequenceNumber);
    const ts = records[0]!['ApproximateArrivalTimestamp'] as Tag;
    expect(ts).toBeInstanceOf(Tag);
    expect(ts.tag).toBe(1);
    expect(Math.abs((ts.contents as number) - Date.now())).toBeLessThan(60_000);
  });

  it('answers errors in CBOR and reads CBOR timestamps and byte strings', async () => {
    const missing = await cborRequest('DescribeStream', { StreamName: 'nope' });
    expect(missing.status).toBe(400);
    expect(missing.data).toEqual({ __type: 'ResourceNotFoundException', message: 'Stream nope under account 000000000000 not found.' });
    const invalid = await cborRequest('CreateStream', { StreamName: 'x', ShardCount: 'two' });
    expect(invalid.data).toEqual({ __type: 'SerializationException', Message: 'class java.lang.String can not be converted to an Integer' });
    await createActiveStream(k, 'cbt');
    // StreamCreationTimestamp as the Java SDK writes it: tag 1 around epoch milliseconds.
    const listed = await cborRequest('ListStreamConsumers', {
      StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/cbt',
      StreamCreationTimestamp: new Tag(1, Date.now()),
    });
    expect(listed.status).toBe(200);
    expect(listed.data).toEqual({ Consumers: [] });
    const garbage = await new Promise<number>((resolve) => {
      const url = new URL(k.endpoint);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/x-amz-cbor-1.1',
            'x-amz-target': 'Kinesis_20131202.ListStreams',
            authorization: 'AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c',
            'x-amz-date': '20260101T000000Z',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.end(Buffer.from([0xff, 0x00]));
    });
    expect(garbage).toBe(400);
  });
});

describe('oversize bodies and stalled clients', () => {
  it('refuses a body declared over the cap at once, before it is sent', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(k.endpoint);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'Kinesis_20131202.ListStreams',
            'content-length': String(MAX_BODY_BYTES + 1),
          },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode!, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.write('{"Limit":');
      // The rest is never sent: the answer must come anyway.
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({
      __type: 'InvalidArgumentException',
      message: `The request body is over eddy's limit of ${MAX_BODY_BYTES} bytes.`,
    });
  });

  it('refuses a chunked HTTP/1.1 body once it passes the cap, before the client has sent it all', async () => {
    const total = MAX_BODY_BYTES + 8 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(k.endpoint);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode!);
        },
      );
      req.on('error', (err) => reject(new Error(`client error after ${sent} bytes: ${err.message}`)));
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(total);
    // The server keeps serving.
    expect((await rawRequest(k.endpoint, { target: 'ListStreams', body: '{}' })).status).toBe(200);
  });

  it('refuses an HTTP/2 body over the cap with a response while the client is still sending', async () => {
    const session = http2.connect(k.endpoint);
    try {
      const total = 3 * MAX_BODY_BYTES;
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      let sent = 0;
      const stream = session.request({
        ':method': 'POST',
        ':path': '/',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
      });
      stream.on('error', () => {});
      const response = new Promise<{ status: number; body: string }>((resolve) => {
        let status = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', (c: Buffer) => chunks.push(c));
        // The response ends while the client is still sending (stalled by flow control: the server reads no more).
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }));
      });
      const pump = (): void => {
        while (sent < total && !stream.destroyed) {
          sent += chunk.length;
          if (!stream.write(chunk)) {
            stream.once('drain', pump);
            return;
          }
        }
        if (!stream.destroyed) stream.end();
      };
      pump();
      const res = await response;
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).__type).toBe('InvalidArgumentException');
      expect(sent).toBeLessThan(total);
      // The same session still serves other requests.
      const other = session.request({
        ':method': 'POST',
        ':path': '/',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
        authorization: 'AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c',
        'x-amz-date': '20260101T000000Z',
      });
      const otherStatus = await new Promise<number>((resolve) => {
        other.on('response', (h) => resolve(Number(h[':status'])));
        other.resume();
        other.end('{}');
      });
      expect(otherStatus).toBe(200);
    } finally {
      session.destroy();
    }
  });

  it('gives the SDK an InvalidArgumentException for a PutRecords body over the cap, over h2c and HTTP/1.1', async () => {
    await createActiveStream(k, 'huge');
    const data = new Uint8Array(40_000);
    for (const transport of ['h2', 'h1'] as const) {
      const records = Array.from({ length: 500 }, () => ({ PartitionKey: 'k', Data: data }));
      expect(await awsError(k.client(transport).send(new PutRecordsCommand({ StreamName: 'huge', Records: records })))).toEqual({
        name: 'InvalidArgumentException',
        message: `The request body is over eddy's limit of ${MAX_BODY_BYTES} bytes.`,
        status: 413,
      });
    }
    expect((await k.client('h2').send(new ListStreamsCommand({}))).StreamNames).toEqual(['huge']);
  });

  it('keeps serving others while a client sends half a request and stalls (HTTP/1.1 and HTTP/2)', async () => {
    const url = new URL(k.endpoint);
    const stalled = net.connect(Number(url.port), url.hostname);
    await new Promise((r) => stalled.once('connect', r));
    let stalledGotBytes = false;
    stalled.on('data', () => (stalledGotBytes = true));
    stalled.on('error', () => {});
    stalled.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n' +
        'Content-Length: 100\r\n\r\n{"Lim',
    );
    const session = http2.connect(k.endpoint);
    session.on('error', () => {});
    const h2stalled = session.request({
      ':method': 'POST',
      ':path': '/',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Kinesis_20131202.ListStreams',
    });
    h2stalled.on('error', () => {});
    let h2StalledAnswered = false;
    h2stalled.on('response', () => (h2StalledAnswered = true));
    h2stalled.write('{"Lim');
    try {
      await createActiveStream(k, 'busy');
      for (const transport of ['h2', 'h1'] as const) {
        const out = await k.client(transport).send(new ListStreamsCommand({}));
        expect(out.StreamNames).toEqual(['busy']);
      }
      expect((await rawRequest(k.endpoint, { target: 'ListStreams', body: '{}' })).status).toBe(200);
      expect(stalledGotBytes).toBe(false);
      expect(h2StalledAnswered).toBe(false);
    } finally {
      stalled.destroy();
      session.destroy();
    }
  });
});

describe('request timeout', () => {
  it('resets an HTTP/2 stream whose request body stalls past the listener’s request timeout', async () => {
    const short = await startKinesis({ requestTimeoutMs: 300 });
    const session = http2.connect(short.endpoint);
    session.on('error', () => {});
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.ListStreams',
      });
      stream.on('error', () => {});
      stream.write('{"Lim');
      const code = await new Promise<number>((resolve) => stream.on('close', () => resolve(stream.rstCode!)));
      expect(code).toBe(http2.constants.NGHTTP2_CANCEL);
      expect((await short.client('h2').send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    } finally {
      session.destroy();
      await short.close();
    }
  });
});

describe('clients that leave early', () => {
  it('keeps serving after clients reset their streams or drop their connections before the answer', async () => {
    await createActiveStream(k, 'early');
    const session = http2.connect(k.endpoint);
    session.on('error', () => {});
    for (let i = 0; i < 20; i++) {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.DescribeStream',
        authorization: 'AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c',
        'x-amz-date': '20260101T000000Z',
      });
      stream.on('error', () => {});
      stream.end('{"StreamName":"early"}');
      if (i % 2 === 0) stream.close(http2.constants.NGHTTP2_CANCEL);
      else setImmediate(() => stream.close(http2.constants.NGHTTP2_CANCEL));
    }
    const url = new URL(k.endpoint);
    for (let i = 0; i < 5; i++) {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.on('error', () => {});
      socket.write(
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n' +
          'Authorization: AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=c\r\nX-Amz-Date: x\r\nContent-Length: 2\r\n\r\n{}',
      );
      socket.destroy();
    }
    session.destroy();
    for (const transport of ['h2', 'h1'] as const) {
      expect((await k.client(transport).send(new ListStreamsCommand({}))).StreamNames).toEqual(['early']);
    }
  });
});

describe('SubscribeToShard', () => {
  it('answers with a clear InvalidArgumentException until eddy supports it', async () => {
    await createActiveStream(k, 'sub');
    const { SubscribeToShardCommand } = await import('@aws-sdk/client-kinesis');
    for (const transport of ['h2', 'h1'] as const) {
      const client = k.client(transport);
      const err = await awsError(
        client.send(
          new SubscribeToShardCommand({
            ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/sub/consumer/c:1700000000',
            ShardId: 'shardId-000000000000',
            StartingPosition: { Type: 'LATEST' },
          }),
        ),
      );
      expect(err).toMatchObject({
        name: 'InvalidArgumentException',
        message: 'eddy does not support SubscribeToShard (enhanced fan-out) yet; read the shard with GetShardIterator and GetRecords.',
      });
    }
  });
});
