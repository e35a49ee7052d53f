// StartStreamEncryption / StopStreamEncryption: server-side KMS encryption. eddy stores records as they
// are; records written while a stream is encrypted are flagged and GetRecords reports EncryptionType KMS.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StartStreamEncryption.html
import { invalidArgument } from '../errors.ts';
import type { Operation } from '../operation.ts';
import type { ConstraintTable } from '../validation.ts';
import { streamArn, streamId, streamName } from './shapes.ts';

export const constraints: ConstraintTable = {
  EncryptionType: { type: 'String', notNull: true, enum: ['NONE', 'KMS'] },
  KeyId: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 2048 },
  StreamName: streamName,
  StreamARN: streamArn,
  StreamId: streamId,
};

interface Input {
  EncryptionType: 'NONE' | 'KMS';
  KeyId: string;
  StreamName?: string;
  StreamARN?: string;
}

export const startStreamEncryption: Operation<Input, undefined> = {
  name: 'StartStreamEncryption',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    if (input.EncryptionType !== 'KMS') {
      // UNVERIFIED wording.
      throw invalidArgument(`Encryption type ${input.EncryptionType} is not supported. Valid encryption types: KMS.`);
    }
    ctx.store.requireActive(stream);
    // Any KeyId is accepted (eddy has no KMS); AWS would check the key exists.
    stream.meta.encryptionType = 'KMS';
    stream.meta.keyId = input.KeyId;
    await ctx.store.beginUpdate(stream);
    return undefined;
  },
};

export const stopStreamEncryption: Operation<Input, undefined> = {
  name: 'StopStreamEncryption',
  constraints,
  async run(input, ctx) {
    const stream = ctx.store.resolve(input);
    if (input.EncryptionType !== 'KMS') {
      throw invalidArgument(`Encryption type ${input.EncryptionType} is not supported. Valid encryption types: KMS.`);
    }
    ctx.store.requireActive(stream);
    stream.meta.encryptionType = 'NONE';
    delete stream.meta.keyId;
    await ctx.store.beginUpdate(stream);
    return undefined;
  },
};
