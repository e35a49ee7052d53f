// Every CLI option defined once: flag, environment variable, default, description and parser.
// Commands pick options by name; help text, env fallback and validation all derive from this table.
import { Option, type Command } from 'commander';
import { EddyError } from '../runtime/errors.ts';

interface OptionSpec<T> {
  flags: string;
  env: string;
  description: string;
  default?: T;
  parse?: (raw: string) => T;
}

export function integer(name: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new EddyError('EDDY_ERR_OPTION_INVALID', `${name}: must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
}

function url(name: string): (raw: string) => string {
  return (raw) => {
    try {
      return new URL(raw).toString().replace(/\/$/, '');
    } catch {
      throw new EddyError('EDDY_ERR_OPTION_INVALID', `${name}: must be a URL such as http://127.0.0.1:4566, got "${raw}"`);
    }
  };
}

export const optionSpecs = {
  dir: { flags: '--dir <path>', env: 'EDDY_DIR', description: 'folder holding serverless.yml', default: '.' },
  port: {
    flags: '--port <port>',
    env: 'EDDY_PORT',
    description: 'port to serve the Kinesis and Lambda APIs on (0 picks a free one)',
    default: 4566,
    parse: integer('--port', 0, 65535),
  },
  host: { flags: '--host <host>', env: 'EDDY_HOST', description: 'address to listen on', default: '127.0.0.1' },
  dataDir: { flags: '--data-dir <path>', env: 'EDDY_DATA_DIR', description: 'where streams, checkpoints and logs live (default: <dir>/.eddy)' },
  inMemory: { flags: '--in-memory', env: 'EDDY_IN_MEMORY', description: 'keep nothing on disk', default: false },
  fsync: { flags: '--fsync', env: 'EDDY_FSYNC', description: 'acknowledge puts only after fsync (survives power loss)', default: false },
  enforceLimits: {
    flags: '--enforce-limits',
    env: 'EDDY_ENFORCE_LIMITS',
    description: "enforce Kinesis per-shard throughput limits as AWS does",
    default: false,
  },
  watch: { flags: '--no-watch', env: 'EDDY_WATCH', description: 'do not rebuild functions when their files change', default: true },
  stage: { flags: '--stage <stage>', env: 'EDDY_STAGE', description: 'serverless stage (${sls:stage})' },
  region: { flags: '--region <region>', env: 'EDDY_REGION', description: 'AWS region eddy pretends to be' },
  concurrency: {
    flags: '--concurrency <n>',
    env: 'EDDY_CONCURRENCY',
    description: 'account concurrency limit for functions',
    default: 1000,
    parse: integer('--concurrency', 1, 100000),
  },
  kinesisEndpoint: {
    flags: '--kinesis-endpoint <url>',
    env: 'EDDY_KINESIS_ENDPOINT',
    description: 'read event-source mappings from this Kinesis endpoint (real AWS, LocalStack, kinesalite)',
    parse: url('--kinesis-endpoint'),
  },
  endpoint: {
    flags: '--endpoint <url>',
    env: 'EDDY_ENDPOINT',
    description: 'a running eddy to talk to (default: found through the data dir)',
    parse: url('--endpoint'),
  },
  feed: {
    flags: '--feed <workload.yml>',
    env: 'EDDY_FEED',
    description: "play a workload's producers into the streams, in a loop, while serving",
  },
  json: { flags: '--json', env: 'EDDY_JSON', description: 'print JSON instead of a table', default: false },
} satisfies Record<string, OptionSpec<unknown>>;

export type OptionName = keyof typeof optionSpecs;

/** A commander Option for a spec: env fallback, default and parser wired in. */
export function option(name: OptionName): Option {
  const spec: OptionSpec<unknown> = optionSpecs[name];
  const opt = new Option(spec.flags, spec.description).env(spec.env);
  if (spec.parse) opt.argParser(spec.parse);
  if (spec.default !== undefined && !spec.flags.startsWith('--no-')) opt.default(spec.default);
  return opt;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off|)$/i;

/**
 * Commander sets a boolean flag whenever its variable exists, whatever its value (so EDDY_WATCH=1 meant
 * --no-watch). Run before each action: a boolean taken from the environment gets the variable's value.
 */
export function applyBooleanEnv(command: Command): void {
  for (const opt of command.options) {
    if (opt.required || opt.optional || opt.envVar === undefined) continue;
    const name = opt.attributeName();
    if (command.getOptionValueSource(name) !== 'env') continue;
    const raw = process.env[opt.envVar] ?? '';
    if (!TRUE.test(raw) && !FALSE.test(raw)) {
      throw new EddyError('EDDY_ERR_OPTION_INVALID', `${opt.envVar}: must be true or false (or 1 / 0), got "${raw}"`);
    }
    command.setOptionValueWithSource(name, TRUE.test(raw), 'env');
  }
}

