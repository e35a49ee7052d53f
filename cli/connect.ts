// Finding the running eddy a command talks to: --endpoint, else the eddy.json a running eddy writes into
// its data dir; and the Kinesis client pointed at it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { EddyError } from '../runtime/errors.ts';
import type { RunningFile } from '../runtime/emulator.ts';

export interface ConnectFlags {
  endpoint?: string;
  dir?: string;
  dataDir?: string;
}

const credentials = { accessKeyId: 'eddy', secretAccessKey: 'eddy' };

export function dataDirOf(flags: ConnectFlags): string {
  return path.resolve(flags.dataDir ?? path.join(flags.dir ?? '.', '.eddy'));
}

export function findEndpoint(flags: ConnectFlags): string {
  if (flags.endpoint) return flags.endpoint;
  const file = path.join(dataDirOf(flags), 'eddy.json');
  let running: RunningFile;
  try {
    running = JSON.parse(readFileSync(file, 'utf8')) as RunningFile;
  } catch {
    throw new EddyError('EDDY_ERR_NOT_RUNNING', `No running eddy found (no ${file}); start one with "eddy start" or pass --endpoint`);
  }
  if (!isAlive(running.pid)) {
    throw new EddyError('EDDY_ERR_NOT_RUNNING', `The eddy recorded in ${file} (pid ${running.pid}) is not running`);
  }
  return running.endpoint;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** GETs one of a running eddy's own routes (`/_eddy/…`); no answer at all is EDDY_ERR_NOT_RUNNING. */
export async function getFromEddy<T>(endpoint: string, route: string): Promise<T> {
  const res = await fetch(`${endpoint}${route}`).catch((err: unknown) => {
    throw new EddyError('EDDY_ERR_NOT_RUNNING', `No eddy answered at ${endpoint}: ${(err as Error).message}`);
  });
  if (!res.ok) throw new Error(`${endpoint} did not answer ${route} (${res.status})`);
  return (await res.json()) as T;
}

export function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials, maxAttempts: 1 });
}
