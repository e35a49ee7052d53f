// The Kinesis wire protocol: awsJson1_1 (X-Amz-Target: Kinesis_20131202.<Op>) and the Java SDK's CBOR
// (application/x-amz-cbor-1.1) over HTTP/1.1 or h2c. Reads request bodies under a size cap, decodes and
// encodes bodies, writes responses with AWS's headers.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonParameters.html
import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import { decode as cborDecode, encode as cborEncode, Tag } from 'cbor2';
import type { HttpRequest, HttpResponse } from '../server/listener.ts';
import { PrebuiltOutput, WireBlob, WireTimestamp } from './operation.ts';

export const AMZ_JSON = 'application/x-amz-json-1.1';
export const AMZ_JSON_10 = 'application/x-amz-json-1.0';
export const AMZ_CBOR = 'application/x-amz-cbor-1.1';
export const TARGET_PREFIX = 'Kinesis_20131202';

/**
 * The largest request body eddy reads: a full PutRecords (10 MiB of data and keys, AWS's current request limit)
 * is about 13.4 MiB once base64-encoded in JSON, so 16 MiB leaves room for the JSON around it. Bigger bodies
 * are refused as soon as the cap is passed (or at once, from Content-Length) without being held in memory.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Collects the request body, giving up once it passes maxBytes (or at once when Content-Length says it
 * will). A refused body is left flowing into a discarding listener, never held (see sendAndAbandon).
 */
export function readBody(req: HttpRequest, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    discardBody(req);
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (result: BodyResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('aborted', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > maxBytes) {
        chunks.length = 0;
        discardBody(req);
        done({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void =>
      done({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    const onAbort = (): void => done({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('aborted', onAbort);
  });
}

const discarded = new WeakMap<HttpRequest, { bytes: number }>();

/** Reads the rest of a body and drops it (counting it, for DISCARD_LIMIT). */
function discardBody(req: HttpRequest): void {
  if (discarded.has(req)) return;
  const count = { bytes: 0 };
  discarded.set(req, count);
  req.on('data', (chunk: Buffer) => {
    count.bytes += chunk.length;
  });
  req.on('error', () => {});
  req.resume();
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
export function mediaType(raw: string | undefined): string {
  if (!raw) return '';
  const semi = raw.indexOf(';');
  return (semi === -1 ? raw : raw.slice(0, semi)).trim().toLowerCase();
}

export function isCbor(contentType: string): boolean {
  return contentType === AMZ_CBOR;
}

/** Parses a body; undefined when it is not a JSON/CBOR object (AWS answers SerializationException). */
export function decodeBody(contentType: string, body: Buffer): Record<string, unknown> | undefined {
  let data: unknown;
  try {
    data = isCbor(contentType) ? cborDecode(body, { ignoreGlobalTags: true }) : JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof Uint8Array || data instanceof Map) {
    return undefined;
  }
  return data as Record<string, unknown>;
}

/** The body of a response in the request's format. */
export function encodeBody(contentType: string, data: unknown): Buffer {
  if (data instanceof PrebuiltOutput) {
    if (!isCbor(contentType)) return data.json();
    data = data.value();
  }
  if (isCbor(contentType)) {
    const bytes = cborEncode(toCbor(data));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return Buffer.from(JSON.stringify(data), 'utf8');
}

/** Output values made ready for the CBOR encoder: blobs as byte strings, timestamps as tag 1 + epoch ms. */
function toCbor(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof WireBlob) return plainBytes(v.bytes);
  if (v instanceof WireTimestamp) return new Tag(1, Math.round(v.ms));
  if (v instanceof Uint8Array) return plainBytes(v);
  if (v instanceof Date) return new Tag(1, v.getTime());
  if (Array.isArray(v)) return v.map(toCbor);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCbor(x);
  return out;
}

/** cbor2 encodes a Buffer through its toJSON; a plain Uint8Array view is encoded as a byte string. */
function plainBytes(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b;
}

/** Output values as the SDK hands them to callers: Uint8Array blobs, Date timestamps (for in-process calls). */
export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof PrebuiltOutput) return toPlain(v.value());
  if (v instanceof WireBlob) return v.bytes;
  if (v instanceof WireTimestamp) return new Date(v.ms);
  if (v instanceof Uint8Array || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toPlain(x);
  return out;
}

/** x-amz-id-2: an opaque base64 token, as AWS sends. */
export function amzId2(): string {
  return randomBytes(48).toString('base64');
}

export function send(
  res: HttpResponse,
  status: number,
  contentType: string | undefined,
  body: Buffer | string,
  requestId: string,
  extra?: Record<string, string>,
): void {
  if (res.headersSent || res.writableEnded) return;
  const headers: Record<string, string | number> = {
    'x-amzn-RequestId': requestId,
    'x-amz-id-2': amzId2(),
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  };
  if (contentType) headers['Content-Type'] = contentType;
  try {
    // The two response classes share writeHead/end but TypeScript cannot call the union's overloads.
    (res as import('node:http').ServerResponse).writeHead(status, headers);
    (res as import('node:http').ServerResponse).end(body);
  } catch {
    // The client went away (a reset HTTP/2 stream throws here): nobody is left to answer.
  }
}

/** How much of a refused body is read and thrown away before the connection (h1) or stream (h2) is cut. */
export const DISCARD_LIMIT = 64 * 1024 * 1024;

/**
 * Answers a request whose body eddy will not keep, while the rest of the body is read and thrown away
 * (never held) up to DISCARD_LIMIT, after which the HTTP/1.1 connection or the HTTP/2 stream is cut.
 * Why not stop reading at once: an HTTP/1.1 server that closes with unread bytes makes the kernel send a
 * reset that can destroy its own answer before the client reads it, and Node's HTTP/2 client fails a
 * stream that gets an answer while most of a body it wrote at once is still queued (in its 10 MB session
 * memory). So HTTP/1.1 answers at once; HTTP/2 answers once answerAfterBytes have been drained (at once
 * when the cap was found by reading) or the body ends. Other requests go on meanwhile.
 */
export function sendAndAbandon(
  req: HttpRequest,
  res: HttpResponse,
  status: number,
  contentType: string,
  body: Buffer,
  requestId: string,
  answerAfterBytes = 0,
): void {
  const h2stream = 'stream' in req && req.stream ? (req.stream as http2.ServerHttp2Stream) : undefined;
  discardBody(req);
  const count = discarded.get(req)!;
  let answered = false;
  const answer = (): void => {
    if (answered) return;
    answered = true;
    send(res, status, contentType, body, requestId);
  };
  if (!h2stream) {
    const res1 = res as import('node:http').ServerResponse;
    const req1 = req as import('node:http').IncomingMessage;
    if (res1.shouldKeepAlive === false && !req1.complete) {
      // The client asked to close after this exchange. Node would close as soon as the answer is written,
      // with the body still arriving: the reset that follows can destroy the answer. Close only once the
      // body has been drained instead.
      res1.shouldKeepAlive = true;
      req1.once('end', () => req1.socket.end());
    }
  }
  const threshold = h2stream ? answerAfterBytes : 0;
  const onData = (): void => {
    if (count.bytes >= threshold) answer();
    if (count.bytes > DISCARD_LIMIT) {
      req.off('data', onData);
      if (h2stream) {
        if (!h2stream.destroyed && !h2stream.closed) h2stream.close(http2.constants.NGHTTP2_CANCEL);
      } else {
        (req as import('node:http').IncomingMessage).socket.destroy();
      }
    }
  };
  req.on('data', onData);
  req.once('end', answer);
  if (count.bytes >= threshold || req.readableEnded) answer();
}

export function accessDeniedXml(message: string): string {
  return `<AccessDeniedException>\n  <Message>${message}</Message>\n</AccessDeniedException>\n`;
}
