import { Tag } from 'cbor2';
import { describe, expect, it } from 'vitest';
import { KinesisApiError } from '../../../runtime/kinesis/errors.ts';
import { operations } from '../../../runtime/kinesis/operations/index.ts';
import { validateInput, type ConstraintTable } from '../../../runtime/kinesis/validation.ts';

function failure(table: ConstraintTable, input: unknown, format: 'json' | 'cbor' = 'json'): { type: string; body: Record<string, string> } {
  try {
    validateInput(table, input, format);
  } catch (err) {
    if (err instanceof KinesisApiError) return { type: err.type, body: err.body() };
    throw err;
  }
  throw new Error('expected a failure');
}

// The PutRecords shape as kinesalite recorded it from AWS (the data plane's own table is B2's).
const records: ConstraintTable = {
  Records: {
    type: 'List',
    notNull: true,
    lengthGreaterThanOrEqual: 1,
    lengthLessThanOrEqual: 500,
    memberStr: 'com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310',
    children: {
      type: 'Structure',
      members: {
        PartitionKey: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 256 },
        ExplicitHashKey: { type: 'String', regex: '0|([1-9]\\d{0,38})' },
        Data: { type: 'Blob', notNull: true, lengthLessThanOrEqual: 1048576 },
      },
    },
  },
  StreamName: { type: 'String', notNull: true, regex: '[a-zA-Z0-9_.-]+', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 },
};

describe('validateInput', () => {
  it('turns base64 blobs into Buffers, CBOR byte strings stay bytes, timestamps into epoch ms', () => {
    const table: ConstraintTable = { Data: { type: 'Blob' }, At: { type: 'Timestamp' } };
    const json = validateInput<{ Data: Buffer; At: number }>(table, { Data: 'aGVsbG8=', At: 1700000000.123 }, 'json');
    expect(Buffer.isBuffer(json.Data)).toBe(true);
    expect(json.Data.toString()).toBe('hello');
    expect(json.At).toBe(1700000000123);
    const cbor = validateInput<{ Data: Buffer; At: number }>(table, { Data: new Uint8Array([1, 2]), At: new Tag(1, 1700000000123) }, 'cbor');
    expect([...cbor.Data]).toEqual([1, 2]);
    expect(cbor.At).toBe(1700000000123);
    expect(validateInput<{ At: number }>(table, { At: 1700000000.5 }, 'cbor').At).toBe(1700000000500);
  });

  it('rejects bad base64 with AWS’s SerializationException texts', () => {
    const table: ConstraintTable = { Data: { type: 'Blob' } };
    expect(failure(table, { Data: 'abc' }).body).toEqual({
      __type: 'SerializationException',
      Message: "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3",
    });
    expect(failure(table, { Data: 'ab!d' }).body.Message).toBe("'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'");
    expect(failure(table, { Data: 'ab-d' }).body.Message).toBe("'ab-d' can not be converted to a Blob: Invalid Base64 character: '-'");
    expect(failure(table, { Data: 'ab d' }).body.Message).toBe("'ab d' can not be converted to a Blob: Invalid Base64 character: ' '");
    expect(failure(table, { Data: 'aG==' }).body.Message).toBe("'aG==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
    expect(failure(table, { Data: 'a===' }).body.Message).toBe("'a===' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
    expect(validateInput<{ Data: Buffer }>(table, { Data: 'aA==' }, 'json').Data).toEqual(Buffer.from([0x68]));
    expect(validateInput<{ Data: Buffer }>(table, { Data: '' }, 'json').Data).toEqual(Buffer.alloc(0));
    expect(failure(table, { Data: 'a=bc' }).body.Message).toBe("'a=bc' can not be converted to a Blob: Invalid Base64 character: '='");
    expect(failure(table, { Data: 'aGVsbG9=' }).body.Message).toBe(
      "'aGVsbG9=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected",
    );
    expect(failure(table, { Data: true }).body.Message).toBe('class java.lang.Boolean can not be converted to a Blob');
    expect(failure(table, { Data: 1 }).body.Message).toBe(
      'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob',
    );
  });

  it('names list members by 1-based position and prints blobs as Java buffers', () => {
    const big = Buffer.alloc(1048577).toString('base64');
    expect(
      failure(records, { StreamName: 's', Records: [{ PartitionKey: 'a', Data: '' }, { PartitionKey: '', Data: big, ExplicitHashKey: '01' }] }).body,
    ).toEqual({
      __type: 'ValidationException',
      message:
        '3 validation errors detected: ' +
        "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '01' at 'records.2.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
        "Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
    });
  });

  it('prints a list of structures with AWS’s member string, and reports at most 10 errors', () => {
    const entries = Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: '' }));
    const tooMany = failure(records, { StreamName: 's', Records: entries }).body.message!;
    expect(tooMany).toBe(
      "1 validation error detected: Value '[" +
        Array(501).fill('com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310').join(', ') +
        "]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
    );
    const manyBad = Array.from({ length: 12 }, () => ({ PartitionKey: '', Data: '' }));
    const capped = failure(records, { StreamName: 's', Records: manyBad }).body.message!;
    expect(capped.startsWith('10 validation errors detected: ')).toBe(true);
    expect(capped.split('; ')).toHaveLength(10);
  });

  it('checks nulls, enums, numbers and map key/value lengths with AWS’s phrases', () => {
    const table: ConstraintTable = {
      Mode: { type: 'String', notNull: true, enum: ['A', 'B'] },
      N: { type: 'Integer', greaterThanOrEqual: 1, lessThanOrEqual: 10 },
      Tags: { type: 'Map', lengthGreaterThanOrEqual: 1, childKeyLengths: [1, 3], childValueLengths: [0, 2], children: { type: 'String' } },
    };
    expect(failure(table, {}).body.message).toBe(
      "1 validation error detected: Value null at 'mode' failed to satisfy constraint: Member must not be null",
    );
    expect(failure(table, { Mode: 'C', N: 11, Tags: { long: 'abc' } }).body.message).toBe(
      '4 validation errors detected: ' +
        "Value 'C' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [A, B]; " +
        "Value '11' at 'n' failed to satisfy constraint: Member must have value less than or equal to 10; " +
        "Value '{long=abc}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 3, Member must have length greater than or equal to 1]; " +
        "Value '{long=abc}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 2, Member must have length greater than or equal to 0]",
    );
    expect(failure(table, { Mode: 'A', Tags: {} }).body.message).toBe(
      "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('clamps Integer values to 2^31 - 1 and floors them, as AWS’s deserializer does', () => {
    const table: ConstraintTable = { N: { type: 'Integer' }, L: { type: 'Long' } };
    expect(validateInput(table, { N: 1e12, L: 1e12 + 0.5 }, 'json')).toEqual({ N: 2147483647, L: 1e12 });
  });

  it('every operation has a name, a run function and a constraint table whose shapes are known', () => {
    const names = new Set<string>();
    const known = new Set(['String', 'Integer', 'Long', 'Boolean', 'Blob', 'Timestamp', 'List', 'Map', 'Structure']);
    for (const op of operations) {
      expect(names.has(op.name), op.name).toBe(false);
      names.add(op.name);
      for (const [member, c] of Object.entries(op.constraints)) {
        expect(member[0], `${op.name}.${member}`).toMatch(/[A-Z]/);
        expect(known.has(c.type), `${op.name}.${member}`).toBe(true);
      }
    }
    for (const name of [
      'CreateStream', 'DeleteStream', 'ListStreams', 'DescribeStream', 'DescribeStreamSummary', 'DescribeLimits',
      'IncreaseStreamRetentionPeriod', 'DecreaseStreamRetentionPeriod', 'UpdateStreamMode', 'UpdateMaxRecordSize',
      'AddTagsToStream', 'ListTagsForStream', 'RemoveTagsFromStream', 'TagResource', 'UntagResource', 'ListTagsForResource',
      'StartStreamEncryption', 'StopStreamEncryption', 'RegisterStreamConsumer', 'DescribeStreamConsumer',
      'ListStreamConsumers', 'DeregisterStreamConsumer', 'SubscribeToShard',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
  });
});
