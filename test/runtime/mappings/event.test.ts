// The event shape a Kinesis-triggered function receives (reference §4.8, §4.6) and the on-failure
// destination record (§4.5).
import { describe, expect, it } from 'vitest';
import { batchPayload, destinationRecord, eventRecordJson, windowPayload, type ReadRecord } from '../../../runtime/mappings/event.ts';

const ctx = {
  shardId: 'shardId-000000000006',
  eventSourceArn: 'arn:aws:kinesis:us-east-2:000000000000:stream/lambda-stream',
  awsRegion: 'us-east-2',
  invokeIdentityArn: 'arn:aws:iam::000000000000:role/lambda-role',
};
const SEQ = '49590338271490256608559692538361571095921575989136588898';

function read(seq: string, arrivalMs: number): ReadRecord {
  const { json, bytes } = eventRecordJson(ctx, { sequenceNumber: seq, partitionKey: '1', data: Buffer.from('Hello, this is a test.'), arrivalMs });
  return { sequenceNumber: seq, partitionKey: '1', arrivalMs, json, bytes, lane: 0, done: false };
}

describe('event shape', () => {
  it('is AWS example record, key for key and in order', () => {
    const { json, bytes } = eventRecordJson(ctx, { sequenceNumber: SEQ, partitionKey: '1', data: Buffer.from('Hello, this is a test.'), arrivalMs: 1545084650987 });
    expect(bytes).toBe(Buffer.byteLength(json));
    expect(json).toBe(
      JSON.stringify({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: '1',
          sequenceNumber: SEQ,
          data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
          approximateArrivalTimestamp: 1545084650.987,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000006:${SEQ}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/lambda-role',
        awsRegion: 'us-east-2',
        eventSourceARN: 'arn:aws:kinesis:us-east-2:000000000000:stream/lambda-stream',
      }),
    );
  });

  it('counts UTF-8 bytes, not UTF-16 units, where a partition key or an ARN is not ASCII', () => {
    const wide = { ...ctx, eventSourceArn: 'arn:aws:kinesis:us-east-2:000000000000:stream/strøm' };
    for (const c of [ctx, wide]) {
      for (const partitionKey of ['k', 'ключ-€', '😀 "quoted"\n', 'lone \ud800 surrogate']) {
        const { json, bytes } = eventRecordJson(c, { sequenceNumber: SEQ, partitionKey, data: Buffer.from([0, 255]), arrivalMs: 1 });
        expect(JSON.parse(json).kinesis.partitionKey).toBe(partitionKey);
        expect(bytes).toBe(Buffer.byteLength(json));
      }
    }
  });

  it('wraps records in {"Records": [...]}', () => {
    const a = read('1', 1000);
    const b = read('2', 2000);
    expect(JSON.parse(batchPayload([a, b]))).toEqual({ Records: [JSON.parse(a.json), JSON.parse(b.json)] });
    expect(JSON.parse(batchPayload([]))).toEqual({ Records: [] });
  });

  it('adds window, state, shardId, eventSourceARN and the window flags for tumbling windows', () => {
    const a = read('1', Date.UTC(2020, 11, 9, 7, 4, 10));
    const body = JSON.parse(
      windowPayload([a], ctx, {
        startMs: Date.UTC(2020, 11, 9, 7, 4),
        endMs: Date.UTC(2020, 11, 9, 7, 5),
        state: { total: 3 },
        isFinalInvokeForWindow: false,
        isWindowTerminatedEarly: false,
      }),
    );
    expect(body).toEqual({
      Records: [JSON.parse(a.json)],
      window: { start: '2020-12-09T07:04:00Z', end: '2020-12-09T07:05:00Z' },
      state: { total: 3 },
      shardId: 'shardId-000000000006',
      eventSourceARN: ctx.eventSourceArn,
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    });
  });
});

describe('on-failure destination record', () => {
  it('has AWS shape for a Kinesis batch', () => {
    const records = [read('49601189658422359378836298521827638475320189012309704722', Date.UTC(2019, 10, 14, 0, 38, 4, 835)), read('49601189658422359378836298522902373528957594348623495186', Date.UTC(2019, 10, 14, 0, 38, 5, 580))];
    const record = destinationRecord({
      condition: 'RetryAttemptsExhausted',
      functionArn: 'arn:aws:lambda:us-east-2:000000000000:function:myfunction',
      streamArn: 'arn:aws:kinesis:us-east-2:000000000000:stream/mystream',
      shardId: 'shardId-000000000001',
      records,
      approximateInvokeCount: 3,
      lastInvoke: { requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5', functionError: 'Unhandled' },
      nowMs: Date.UTC(2019, 10, 14, 0, 38, 6, 21),
    });
    expect(JSON.stringify(record)).toBe(
      JSON.stringify({
        requestContext: {
          requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
          functionArn: 'arn:aws:lambda:us-east-2:000000000000:function:myfunction',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: '2019-11-14T00:38:06.021Z',
        KinesisBatchInfo: {
          shardId: 'shardId-000000000001',
          startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
          endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
          approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
          approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
          batchSize: 2,
          streamArn: 'arn:aws:kinesis:us-east-2:000000000000:stream/mystream',
        },
      }),
    );
  });

  it('omits responseContext for records discarded before any invocation', () => {
    const record = destinationRecord({
      condition: 'RecordAgeExceeded',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
      shardId: 'shardId-000000000000',
      records: [read('1', 0)],
      approximateInvokeCount: 0,
      lastInvoke: undefined,
      nowMs: 0,
    });
    expect(Object.keys(record)).toEqual(['requestContext', 'version', 'timestamp', 'KinesisBatchInfo']);
    expect(record['requestContext']).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
  });
});
