// An invocation's payload as the invoker and runtime take it: the caller's bytes, or JSON text eddy built
// itself (a mapping's batch), which is passed on as text rather than encoded to UTF-8 and decoded back.

export type Payload = Uint8Array | string;

/** Its size in bytes, as the Lambda service counts it (UTF-8). */
export function payloadByteLength(payload: Payload): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
}

/** Its text (bytes decoded as UTF-8). */
export function payloadText(payload: Payload): string {
  return typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/** Its bytes (text encoded as UTF-8). */
export function payloadBytes(payload: Payload): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}
