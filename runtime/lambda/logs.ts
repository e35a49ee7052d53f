// Host side of function logs: the platform lines Lambda prints around each invocation (INIT_START, START,
// END, REPORT, INIT_REPORT, the timeout line), the per-invocation buffer behind `X-Amz-Log-Type: Tail`, and
// the sinks lines go to (the terminal, one file per function under the data dir).
import { createHash } from 'node:crypto';
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LogFormat } from '../config/types.ts';
import { colorAllowed } from '../terminal.ts';
import type { ErrorPayload } from './messages.ts';

/** Where function log lines go. One call per line, already formatted; no trailing newline. */
export interface LogSink {
  write(fn: { key: string; name: string }, line: string): void;
  /** eddy's own one-line notices about a function (e.g. a Node version mismatch). */
  notice(message: string): void;
  /** Flushes what is buffered. */
  close(): Promise<void>;
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs: number | undefined;
  /** Platform failures only (the handler's own errors leave no status on the REPORT line). */
  status: { status: 'timeout' | 'error'; errorType: string | undefined } | undefined;
}

/** What INIT_START / platform.initStart says about the environment that starts INIT. */
export interface InitStartFields {
  /** `nodejs:20.v48` (runtimeVersionOf). */
  runtimeVersion: string;
  runtimeVersionArn: string;
  functionName: string;
  /** The environment: `YYYY/MM/DD/<functionName>[$LATEST]<32 hex>` (instanceIdOf). */
  instanceId: string;
  memorySizeMb: number;
}

/** A plausible, fixed runtime version number (UNVERIFIED: see runtimeVersionOf). */
const RUNTIME_VERSION_NUMBER = 48;

/**
 * UNVERIFIED values: the runtime version Lambda would report for `runtime` (nodejs20.x -> `nodejs:20.v48`)
 * and its ARN in `region`, whose 64-hex id is the SHA-256 of that version string. Both are stable, but
 * they identify no real AWS runtime build: real ones change with each runtime release (and some read
 * `nodejs:22.mainline.v122`), and their ids are not derived from anything eddy can know.
 */
export function runtimeVersionOf(runtime: string, region: string): { runtimeVersion: string; runtimeVersionArn: string } {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  const runtimeVersion = major !== undefined ? `nodejs:${major}.v${RUNTIME_VERSION_NUMBER}` : `${runtime}.v${RUNTIME_VERSION_NUMBER}`;
  const id = createHash('sha256').update(runtimeVersion).digest('hex');
  return { runtimeVersion, runtimeVersionArn: `arn:aws:lambda:${region}::runtime:${id}` };
}

/**
 * The environment's id as platform.initStart shows it: its log stream name (`YYYY/MM/DD/[$LATEST]<hex>`)
 * with the function name before the version, as in real records (UNVERIFIED: that the hex is the stream's).
 */
export function instanceIdOf(logStreamName: string, functionName: string): string {
  const slash = logStreamName.lastIndexOf('/[');
  return slash < 0 ? logStreamName : `${logStreamName.slice(0, slash + 1)}${functionName}${logStreamName.slice(slash + 1)}`;
}

/** Billed duration: rounded up to 1 ms; since 2025-08-01 INIT is billed too (reference §0.5). */
export function billedDuration(durationMs: number, initDurationMs: number | undefined): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}

/** Formats the platform's own lines in the function's log format. */
export class PlatformLines {
  readonly #format: LogFormat;
  constructor(format: LogFormat) {
    this.#format = format;
  }

  /**
   * The first line of every cold start (and of each INIT retried after a failure), before INIT's own lines.
   * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html#platform-initStart
   */
  initStart(f: InitStartFields): string {
    if (this.#format === 'JSON') {
      // Field order as real records show it; instanceMaxMemory is in bytes there (256 MB -> 268435456).
      return platformJson('platform.initStart', {
        initializationType: 'on-demand',
        phase: 'init',
        runtimeVersion: f.runtimeVersion,
        runtimeVersionArn: f.runtimeVersionArn,
        functionName: f.functionName,
        functionVersion: '$LATEST',
        instanceId: f.instanceId,
        instanceMaxMemory: f.memorySizeMb * 1024 * 1024,
      });
    }
    return `INIT_START Runtime Version: ${f.runtimeVersion}\tRuntime Version ARN: ${f.runtimeVersionArn}`;
  }

  start(requestId: string): string {
    if (this.#format === 'JSON') return platformJson('platform.start', { requestId, version: '$LATEST' });
    return `START RequestId: ${requestId} Version: $LATEST`;
  }

  /** `status`: a platform failure (timeout, crash); a handler's own error leaves it 'success', as on REPORT. */
  end(requestId: string, status?: ReportFields['status']): string {
    if (this.#format === 'JSON') {
      const record: Record<string, unknown> = { requestId, status: status?.status ?? 'success' };
      if (status?.errorType !== undefined) record['errorType'] = status.errorType;
      return platformJson('platform.runtimeDone', record);
    }
    return `END RequestId: ${requestId}`;
  }

  report(r: ReportFields): string {
    if (this.#format === 'JSON') {
      const metrics: Record<string, number> = {
        durationMs: round2(r.durationMs),
        billedDurationMs: r.billedDurationMs,
        memorySizeMB: r.memorySizeMb,
        maxMemoryUsedMB: r.maxMemoryUsedMb,
      };
      if (r.initDurationMs !== undefined) metrics['initDurationMs'] = round2(r.initDurationMs);
      const record: Record<string, unknown> = { requestId: r.requestId, metrics, status: r.status?.status ?? 'success' };
      if (r.status?.errorType !== undefined) record['errorType'] = r.status.errorType;
      return platformJson('platform.report', record);
    }
    let line =
      `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedDurationMs} ms\t` +
      `Memory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t`;
    if (r.initDurationMs !== undefined) line += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
    // UNVERIFIED placement: recent REPORT lines of failed environments end with Status (and Error Type).
    if (r.status) line += `Status: ${r.status.status}\t${r.status.errorType ? `Error Type: ${r.status.errorType}\t` : ''}`;
    return line;
  }

  initReport(initDurationMs: number, status: 'error' | 'timeout', errorType: string | undefined): string {
    if (this.#format === 'JSON') {
      const record: Record<string, unknown> = { initializationType: 'on-demand', phase: 'init', status, metrics: { durationMs: round2(initDurationMs) } };
      if (errorType !== undefined) record['errorType'] = errorType;
      return platformJson('platform.initReport', record);
    }
    return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}${errorType ? `\tError Type: ${errorType}` : ''}`;
  }

  /** `<ISO time> <requestId> Task timed out after 3.00 seconds`, as Lambda logs a timeout. */
  timedOut(requestId: string, timeoutSeconds: number): string {
    return `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
  }

  /** The line the RIC prints when INIT fails (used when eddy fails it before a worker runs); label: initErrorLabel. */
  initError(error: ErrorPayload, label: string): string {
    if (this.#format === 'JSON') {
      return JSON.stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId: undefined, message: error });
    }
    const json = JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace ?? [] });
    return `${new Date().toISOString()}\tundefined\tERROR\t${label} \t${json}`.replace(/\n/g, '\r');
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function platformJson(type: string, record: Record<string, unknown>): string {
  return JSON.stringify({ time: new Date().toISOString(), type, record });
}

const TAIL_BYTES = 4096;

/** The lines of one invocation, kept only as far as a Tail needs them. */
export class InvocationLog {
  #lines: string[] = [];
  #bytes = 0;

  push(line: string): void {
    this.#lines.push(line);
    this.#bytes += Buffer.byteLength(line) + 1;
    while (this.#lines.length > 1 && this.#bytes - (Buffer.byteLength(this.#lines[0]!) + 1) >= TAIL_BYTES) {
      this.#bytes -= Buffer.byteLength(this.#lines.shift()!) + 1;
    }
  }

  /** base64 of the last 4 KB of the invocation's log (X-Amz-Log-Result). */
  tail(): string {
    const all = Buffer.from(this.#lines.map((l) => l + '\n').join(''), 'utf8');
    return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString('base64');
  }
}

/** A sink that drops everything (benchmarks, embedders that only want Tail). */
export const silentSink: LogSink = {
  write() {},
  notice() {},
  close: async () => {},
};

const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];

export interface TerminalSinkOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Default: colorAllowed(stream). */
  color?: boolean;
}

/** Each line prefixed with the function's name (key), coloured per function when the terminal allows. */
export function terminalSink(options: TerminalSinkOptions = {}): LogSink {
  const stream = options.stream ?? process.stdout;
  const color = options.color ?? colorAllowed(stream as { isTTY?: boolean });
  const colours = new Map<string, number>();
  const prefix = (key: string): string => {
    if (!color) return `${key} | `;
    let c = colours.get(key);
    if (c === undefined) colours.set(key, (c = COLOURS[colours.size % COLOURS.length]!));
    return `\x1b[${c}m${key}\x1b[0m | `;
  };
  return {
    write(fn, line) {
      stream.write(prefix(fn.key) + line.replace(/\r/g, '\n' + ' '.repeat(fn.key.length) + ' | ') + '\n');
    },
    notice(message) {
      stream.write((color ? `\x1b[33meddy\x1b[0m` : 'eddy') + ` | ${message}\n`);
    },
    close: async () => {},
  };
}

export interface FileSinkOptions {
  /** Folder of the files (`<dataDir>/logs`). */
  dir: string;
  /** A file past this size is renamed to `<key>.log.1` (replacing the previous one). Default 10 MB. */
  maxBytes?: number;
}

/** One file per function, `<dir>/<functionKey>.log`, appended in batches, rotated once past maxBytes. */
export function fileSink(options: FileSinkOptions): LogSink {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const pending = new Map<string, string[]>();
  const sizes = new Map<string, number>();
  let flushing: Promise<void> = Promise.resolve();
  let scheduled = false;
  let madeDir: Promise<unknown> | undefined;

  const flushAll = async (): Promise<void> => {
    scheduled = false;
    madeDir ??= mkdir(options.dir, { recursive: true });
    await madeDir;
    const batches = [...pending];
    pending.clear();
    for (const [key, lines] of batches) {
      const file = path.join(options.dir, `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
      let size = sizes.get(key);
      if (size === undefined) size = await stat(file).then((s) => s.size, () => 0);
      if (size > maxBytes) {
        await rename(file, `${file}.1`).catch(() => {});
        size = 0;
      }
      const text = lines.join('\n') + '\n';
      await appendFile(file, text);
      sizes.set(key, size + Buffer.byteLength(text));
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      flushing = flushing.then(flushAll).catch(() => {});
    });
  };
  return {
    write(fn, line) {
      let lines = pending.get(fn.key);
      if (!lines) pending.set(fn.key, (lines = []));
      lines.push(line);
      schedule();
    },
    notice() {},
    async close() {
      await flushing;
      if (pending.size > 0) await flushAll();
    },
  };
}

/** Every line to each of the sinks. */
export function teeSink(...sinks: LogSink[]): LogSink {
  return {
    write(fn, line) {
      for (const s of sinks) s.write(fn, line);
    },
    notice(message) {
      for (const s of sinks) s.notice(message);
    },
    async close() {
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}
