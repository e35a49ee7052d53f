// Test harness for the Kinesis service: a real KinesisService on a memory root (or a disk root in a temp dir)
// behind the real one-port listener, and real SDK clients over HTTP/2 (the SDK's default), HTTP/1.1, and
// in-process (the SDK's requests handed to the service without a socket, as eddy's own mapping pollers do).
//
//   const transports = kinesisTransports();            // ['h2', 'h1', 'in-process'] for describe.each
//   describe.each(transports)('over %s', (transport) => {
//     let k: KinesisHarness;
//     beforeEach(async () => { k = await startKinesis(); });
//     afterEach(() => k.close());
//     it('...', async () => { const client = k.client(transport); ... });
//   });
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { systemClock, type Clock } from '../../runtime/clock.ts';
import { InProcessHttpHandler } from '../../runtime/kinesis/in-process-handler.ts';
import { KinesisService } from '../../runtime/kinesis/service.ts';
import { openDiskRoot } from '../../runtime/log/disk-root.ts';
import { MemoryLogRoot } from '../../runtime/log/memory-root.ts';
import type { LogRoot } from '../../runtime/log/types.ts';
import { listen, type Listener } from '../../runtime/server/listener.ts';

export type Transport = 'h2' | 'h1' | 'in-process';

export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** For describe.each: the SDK's default HTTP/2 (h2c), NodeHttpHandler's HTTP/1.1, and InProcessHttpHandler. */
export function kinesisTransports(): Transport[] {
  return ['h2', 'h1', 'in-process'];
}

export interface StartKinesisOptions {
  clock?: Clock;
  /** Use a disk root in a fresh temp dir (removed by close) instead of a memory root. */
  disk?: boolean;
  /** Reuse this root (e.g. to reopen a disk root); close() then leaves it open. */
  root?: LogRoot;
  /** Default 0 (CREATING/UPDATING/DELETING end on the next timer tick of the clock). */
  statusDelayMs?: number;
  enforceLimits?: boolean;
  /** The listener's request timeout (default: listener's own). */
  requestTimeoutMs?: number;
}

export interface KinesisHarness {
  service: KinesisService;
  root: LogRoot;
  clock: Clock;
  /** The temp dir of a disk root, if any. */
  dir: string | undefined;
  endpoint: string;
  port: number;
  /** A KinesisClient over the given transport (made once per harness, maxAttempts 1: no silent retries). */
  client(transport: Transport): KinesisClient;
  /** Stops clients, listener and service (and the root and its temp dir when the harness made them). */
  close(): Promise<void>;
}

/** A client of the service at endpoint; `in-process` needs the service itself (the endpoint is then only signed for). */
export function makeClient(endpoint: string, transport: Transport, service?: KinesisService): KinesisClient {
  if (transport === 'in-process' && !service) throw new Error('makeClient: the in-process transport needs the service');
  return new KinesisClient({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...(transport === 'h1' ? { requestHandler: new NodeHttpHandler() } : {}),
    ...(transport === 'in-process' ? { requestHandler: new InProcessHttpHandler(service!) } : {}),
  });
}

export async function startKinesis(options: StartKinesisOptions = {}): Promise<KinesisHarness> {
  const clock = options.clock ?? systemClock;
  let dir: string | undefined;
  let root = options.root;
  const ownsRoot = root === undefined;
  if (!root) {
    if (options.disk) {
      dir = await mkdtemp(path.join(os.tmpdir(), 'eddy-'));
      root = await openDiskRoot(dir, { fsync: false });
    } else {
      root = new MemoryLogRoot();
    }
  }
  const service = await KinesisService.open({
    root,
    clock,
    region: REGION,
    accountId: ACCOUNT_ID,
    enforceLimits: options.enforceLimits ?? false,
    statusDelayMs: options.statusDelayMs ?? 0,
  });
  const listener: Listener = await listen({
    port: 0,
    host: '127.0.0.1',
    handler: (req, res) => service.handle(req, res),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const endpoint = `http://127.0.0.1:${listener.port}`;
  const clients = new Map<Transport, KinesisClient>();
  const finalRoot = root;
  return {
    service,
    root: finalRoot,
    clock,
    dir,
    endpoint,
    port: listener.port,
    client(transport) {
      let c = clients.get(transport);
      if (!c) clients.set(transport, (c = makeClient(endpoint, transport, service)));
      return c;
    },
    async close() {
      for (const c of clients.values()) c.destroy();
      await listener.close();
      await service.close();
      if (ownsRoot) await finalRoot.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls fn until it returns a truthy value (returned) or the deadline passes (throws). */
export async function waitFor<T>(fn: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 10 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Creates a stream through the service (in-process) and waits until it is ACTIVE (system clock only). */
export async function createActiveStream(
  k: KinesisHarness,
  name: string,
  shardCount = 1,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await k.service.call('CreateStream', { StreamName: name, ShardCount: shardCount, ...extra });
  await waitForStatus(k, name, 'ACTIVE');
}

/** Waits until the stream has the given status, read in-process (system clock only). */
export async function waitForStatus(k: KinesisHarness, name: string, status: string): Promise<void> {
  await waitFor(() => k.service.store.get(name)?.meta.status === status);
}

/** The stream's status as the SDK sees it. */
export async function statusOf(client: KinesisClient, name: string): Promise<string | undefined> {
  const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  return out.StreamDescriptionSummary?.StreamStatus;
}

/** The AWS error the SDK raised: its name and message, for exact assertions. */
export async function awsError(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON, if it is JSON. */
  json: unknown;
}

export interface RawRequestOptions {
  method?: string;
  /** Full X-Amz-Target, or an operation name (prefixed with Kinesis_20131202.). */
  target?: string;
  contentType?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Leave out the Authorization header. */
  noAuth?: boolean;
  path?: string;
}

/** A hand-made HTTP/1.1 request (for what the SDK never sends: bad JSON, no auth, wrong method ...). */
export function rawRequest(endpoint: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const url = new URL(endpoint);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-amz-json-1.1',
    'x-amz-date': '20260101T000000Z',
    ...(options.noAuth
      ? {}
      : {
          authorization:
            'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd',
        }),
    ...options.headers,
  };
  if (options.target !== undefined) {
    headers['x-amz-target'] = options.target.includes('.') ? options.target : `Kinesis_20131202.${options.target}`;
  }
  const body = options.body ?? '';
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: options.path ?? '/', method: options.method ?? 'POST', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
