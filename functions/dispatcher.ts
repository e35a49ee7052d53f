// The command pattern: one entry point that invokes a single-purpose function per command, by name,
// through the Lambda API (eddy's locally, AWS's when deployed).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Handler } from 'aws-lambda';
import { env } from './lib/streams.ts';

const lambda = new LambdaClient({});

const commands: Record<string, string> = {
  notify: 'NOTIFY_FUNCTION',
  reindex: 'REINDEX_FUNCTION',
};

interface Command {
  command: string;
  args?: unknown;
}

export const handler: Handler<Command, unknown> = async ({ command, args }) => {
  const target = commands[command];
  if (!target) throw new Error(`Unknown command "${command}"; known: ${Object.keys(commands).join(', ')}`);
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: env(target), Payload: Buffer.from(JSON.stringify(args ?? {})) }),
  );
  const body = out.Payload ? JSON.parse(Buffer.from(out.Payload).toString('utf8')) : null;
  if (out.FunctionError) throw new Error(`${command} failed: ${JSON.stringify(body)}`);
  return { command, result: body };
};
