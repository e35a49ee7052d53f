// The core of `eddy invoke <function> [--event file.json | --data '<json>'] [--log-type Tail]`: invokes a
// function of a running eddy through its Lambda API with the real SDK client, prints the result on
// stdout and the decoded log tail on stderr, and returns the exit code (1 on a function or service
// error, 2 on a usage error). The CLI wires its flags to this.
import { readFile } from 'node:fs/promises';

export interface InvokeCommandOptions {
  /** A running eddy, e.g. `http://127.0.0.1:4566`. */
  endpoint: string;
  functionName: string;
  /** Path of a JSON file holding the event. */
  event?: string;
  /** The event as JSON text. */
  data?: string;
  logType?: 'None' | 'Tail';
  invocationType?: 'RequestResponse' | 'Event' | 'DryRun';
  region?: string;
  /** Pretty-print a JSON result (e.g. when stdout is a terminal). Default false: the payload as returned. */
  pretty?: boolean;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_FUNCTION_ERROR = 1;
export const EXIT_USAGE = 2;
/** Nobody answered at the endpoint (the CLI's "no running eddy"). */
export const EXIT_NOT_RUNNING = 4;

function formatPayload(text: string, pretty: boolean): string {
  if (!pretty || text === '') return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export async function runInvoke(options: InvokeCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (options.event !== undefined && options.data !== undefined) {
    stderr.write('error: use either --event <file> or --data <json>, not both\n');
    return EXIT_USAGE;
  }
  let payload: Uint8Array | undefined;
  if (options.event !== undefined) {
    try {
      payload = await readFile(options.event);
    } catch (err) {
      stderr.write(`error: cannot read the event file ${options.event}: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
  } else if (options.data !== undefined) {
    payload = Buffer.from(options.data, 'utf8');
  }
  // Lambda would refuse it (InvalidRequestContentException): said here as the bad input it is.
  if (payload !== undefined && payload.byteLength > 0) {
    try {
      JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch (err) {
      stderr.write(`error: the event (${options.event ?? '--data'}) is not JSON: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
  }

  // Loaded here, not at the top: every eddy command shares one module graph, and this SDK costs ~150 ms.
  const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: options.functionName,
        InvocationType: options.invocationType ?? 'RequestResponse',
        LogType: options.logType ?? 'None',
        ...(payload ? { Payload: payload } : {}),
      }),
    );
    if (out.LogResult) {
      const log = Buffer.from(out.LogResult, 'base64').toString('utf8');
      stderr.write(log.endsWith('\n') ? log : `${log}\n`);
    }
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (text !== '') stdout.write(`${formatPayload(text, options.pretty ?? false)}\n`);
    if (out.FunctionError) {
      stderr.write(`Function error (${out.FunctionError}) in ${options.functionName}\n`);
      return EXIT_FUNCTION_ERROR;
    }
    if (out.StatusCode === 202) stderr.write(`Queued (202), request id ${out.$metadata.requestId ?? '?'}\n`);
    return EXIT_OK;
  } catch (err) {
    const e = err as { name?: string; message?: string; code?: string };
    if (e.code === 'ECONNREFUSED') {
      stderr.write(`error: no eddy answers at ${options.endpoint} (is \`eddy start\` running?)\n`);
      return EXIT_NOT_RUNNING;
    }
    stderr.write(`${e.name ?? 'Error'}: ${e.message ?? String(err)}\n`);
    return EXIT_FUNCTION_ERROR;
  } finally {
    client.destroy();
  }
}
