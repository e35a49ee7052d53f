// One TCP port serving HTTP/1.1 and cleartext HTTP/2 (prior knowledge): the first bytes of each
// connection decide which server gets it, since Node 20's http2 server cannot fall back to HTTP/1.1.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { EddyError } from '../errors.ts';

export type HttpRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type HttpResponse = http.ServerResponse | http2.Http2ServerResponse;
export type RequestHandler = (req: HttpRequest, res: HttpResponse) => void;

export interface ListenOptions {
  port: number;
  host: string;
  handler: RequestHandler;
  /** A connection that has not sent a whole request (or its first bytes) within this is closed. */
  requestTimeoutMs?: number;
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting, then closes every open connection. */
  close(): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export async function listen(options: ListenOptions): Promise<Listener> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const h1 = http.createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(requestTimeoutMs, 30_000),
      keepAliveTimeout: 65_000,
      connectionsCheckingInterval: Math.max(100, Math.min(requestTimeoutMs / 4, 30_000)),
    },
    options.handler,
  );
  // Node checks requestTimeout and headersTimeout only for servers that emit 'listening' (it starts the
  // periodic check there); h1 never listens itself, since it is handed sockets from the TCP server below.
  h1.emit('listening');
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, options.handler);
  // A half-sent HTTP/2 request would otherwise hold its stream forever.
  h2.setTimeout(requestTimeoutMs, () => {});
  h2.on('stream', (stream) => {
    stream.setTimeout(requestTimeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
  });
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  h2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  const tcp = net.createServer((socket) => {
    const idle = setTimeout(() => socket.destroy(), requestTimeoutMs);
    sockets.add(socket);
    // A connection that closes before its first bytes must not keep its timer (and the process) alive.
    socket.on('close', () => {
      clearTimeout(idle);
      sockets.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const n = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && head.length < H2_PREFACE.length) return; // wait for the rest of the preface
      clearTimeout(idle);
      socket.off('data', onData);
      socket.pause();
      socket.unshift(head);
      if (isH2) {
        // The http2 session replays what is already buffered on the socket; resuming here would drop it.
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      const hint = err.code === 'EADDRINUSE' || err.code === 'EACCES' ? '; pick another --port (0 picks a free one)' : '';
      reject(new EddyError('EDDY_ERR_LISTEN_FAILED', `Cannot listen on ${options.host}:${options.port}: ${why}${hint}.`, { cause: err }));
    });
    tcp.listen(options.port, options.host, () => {
      tcp.removeAllListeners('error');
      resolve();
    });
  });
  tcp.on('error', () => {});
  const address = tcp.address() as net.AddressInfo;

  return {
    host: options.host,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      h1.close(); // stops the periodic timeout check
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      h1.closeAllConnections();
      await closed;
    },
  };
}
