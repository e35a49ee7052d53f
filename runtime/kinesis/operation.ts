// The shape of one Kinesis API operation: its name, its input constraints as data, and what it does.
// Each operation lives in its own module under operations/ and exports one Operation constant.
import type { Clock } from '../clock.ts';
import type { StreamStore } from './model/streams.ts';
import type { LiveStream } from './model/types.ts';
import type { KinesisEvent, KinesisOptions } from './types.ts';
import type { ConstraintTable } from './validation.ts';

export interface OperationContext {
  store: StreamStore;
  clock: Clock;
  options: Pick<KinesisOptions, 'region' | 'accountId' | 'enforceLimits' | 'statusDelayMs'>;
  emit(event: KinesisEvent): void;
  /** The request's x-amzn-RequestId. */
  requestId: string;
}

/**
 * run() receives the validated input (see validation.ts: unknown members dropped, Blob = Buffer, Timestamp =
 * epoch ms) and returns the output object, or undefined for operations AWS answers with an empty body.
 * Output blobs and timestamps go through wireBlob() / wireTimestamp() so JSON and CBOR both encode them
 * right; errors are thrown as KinesisApiError (errors.ts).
 */
export interface Operation<I = any, O = any> {
  name: string;
  constraints: ConstraintTable;
  run(input: I, ctx: OperationContext): Promise<O>;
  /**
   * For the hot data-plane operations: the validated input of a JSON request in the common valid shape, or
   * undefined to take the constraint table (which then picks AWS's error). It must accept nothing the table
   * refuses, and return what validateInput would.
   */
  fastInput?(raw: Record<string, unknown>): I | undefined;
  /**
   * For operations that start an UPDATING period with store.beginUpdate(stream, then, { operation, data }):
   * rebuilds `then` from the persisted data when eddy reopens a stream still UPDATING.
   */
  resume?(data: unknown, stream: LiveStream, ctx: OperationContext): () => void | Promise<void>;
}

/** An output blob: base64 in JSON (via toJSON, so JSON.stringify needs no replacer), a byte string in CBOR. */
export class WireBlob {
  constructor(readonly bytes: Uint8Array) {}

  toJSON(): string {
    const b = this.bytes;
    return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('base64');
  }
}

/** An output timestamp: epoch seconds with ms precision in JSON; tag 1 + epoch ms in CBOR (as the Java SDK reads it). */
export class WireTimestamp {
  constructor(readonly ms: number) {}

  toJSON(): number {
    return this.ms / 1000;
  }
}

/**
 * An output that writes its own JSON: PutRecords and GetRecords answer hundreds to thousands of records a
 * call, and JSON.stringify of as many objects (with a toJSON call per blob and timestamp) was a large part of
 * their cost. json() is the UTF-8 of JSON.stringify(value()); value() is the output for CBOR and in-process
 * calls (built only then).
 */
export abstract class PrebuiltOutput {
  abstract json(): Buffer;
  abstract value(): Record<string, unknown>;
}

export const wireBlob = (bytes: Uint8Array): WireBlob => new WireBlob(bytes);
export const wireTimestamp = (ms: number): WireTimestamp => new WireTimestamp(ms);
