import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listener } from '../../../runtime/server/listener.ts';

let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

async function start(requestTimeoutMs?: number): Promise<Listener> {
  listener = await listen({
    port: 0,
    host: '127.0.0.1',
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    handler: (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${req.httpVersion} ${req.method} ${req.url}`);
    },
  });
  return listener;
}

function h1Get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/one' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function h2Get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':path': '/two', ':method': 'POST' });
    let body = '';
    stream.on('data', (c) => (body += c));
    stream.on('end', () => {
      session.close();
      resolve(body);
    });
    stream.end('x');
  });
}

describe('listener', () => {
  it('serves HTTP/1.1 and h2c prior knowledge on the same port', async () => {
    const { port } = await start();
    expect(await h1Get(port)).toBe('1.1 GET /one');
    expect(await h2Get(port)).toBe('2.0 POST /two');
    expect(await Promise.all([h1Get(port), h2Get(port), h1Get(port)])).toEqual([
      '1.1 GET /one',
      '2.0 POST /two',
      '1.1 GET /one',
    ]);
  });

  it('closes a connection that stalls before its first request, and keeps serving others', async () => {
    const { port } = await start(300);
    const stalled = net.connect(port, '127.0.0.1');
    stalled.write('PRI * HTT'); // half a preface, then nothing
    const closed = new Promise<void>((resolve) => stalled.on('close', () => resolve()));
    expect(await h1Get(port)).toBe('1.1 GET /one');
    await closed;
  });

  it('answers 408 and closes an HTTP/1.1 request that stalls in its headers or its body, and keeps serving others', async () => {
    // This handler answers once the whole body is in, as eddy's APIs do.
    listener = await listen({
      port: 0,
      host: '127.0.0.1',
      requestTimeoutMs: 300,
      handler: (req, res) => {
        req.resume();
        req.on('end', () => res.end(`${req.httpVersion} ${req.method} ${req.url}`));
      },
    });
    const { port } = listener;
    const stall = (text: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let answer = '';
        socket.on('data', (d: Buffer) => (answer += d.toString()));
        socket.on('close', () => resolve(answer.split('\r\n')[0]!));
        socket.write(text);
      });
    const midHeaders = stall('POST / HTTP/1.1\r\nHost: x\r\nContent-Le');
    const midBody = stall('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"Lim');
    expect(await h1Get(port)).toBe('1.1 GET /one');
    expect(await midHeaders).toBe('HTTP/1.1 408 Request Timeout');
    expect(await midBody).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('a port in use is EDDY_ERR_LISTEN_FAILED, naming the address', async () => {
    const { port } = await start();
    await expect(listen({ port, host: '127.0.0.1', handler: () => {} })).rejects.toMatchObject({
      code: 'EDDY_ERR_LISTEN_FAILED',
      message: `Cannot listen on 127.0.0.1:${port}: the port is in use; pick another --port (0 picks a free one).`,
    });
  });

  it('leaves no timer behind for a connection that closed before its first byte (the process can exit)', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const root = path.join(here, '..', '..', '..');
    // The child's request timeout is 10 minutes: a leaked per-connection timer would hold it past the test's limit.
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [path.join(root, 'bin', 'run-ts.js'), path.join(root, 'test', 'fixtures', 'server', 'close-after-silent-client.ts')], (error, out) =>
        error ? reject(error) : resolve(out),
      );
    });
    expect(stdout.trim()).toBe('closed');
  });
});
