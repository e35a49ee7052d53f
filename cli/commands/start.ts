// `eddy start`: serve the Kinesis and Lambda APIs and run every function of serverless.yml until a signal.
import type { Command } from 'commander';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { loadWorkload } from '../../runtime/cost/simulate/workload.ts';
import { Emulator } from '../../runtime/emulator.ts';
import { Feed } from '../../runtime/feed.ts';
import { option } from '../options.ts';

interface StartFlags {
  dir: string;
  port: number;
  host: string;
  dataDir?: string;
  inMemory: boolean;
  fsync: boolean;
  enforceLimits: boolean;
  watch: boolean;
  stage?: string;
  region?: string;
  concurrency: number;
  kinesisEndpoint?: string;
  feed?: string;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('serve the Kinesis and Lambda APIs and run the functions of serverless.yml')
    .addOption(option('dir'))
    .addOption(option('port'))
    .addOption(option('host'))
    .addOption(option('dataDir'))
    .addOption(option('inMemory'))
    .addOption(option('fsync'))
    .addOption(option('enforceLimits'))
    .addOption(option('watch'))
    .addOption(option('stage'))
    .addOption(option('region'))
    .addOption(option('concurrency'))
    .addOption(option('kinesisEndpoint'))
    .addOption(option('feed'))
    .action(async (flags: StartFlags) => {
      const workload = flags.feed === undefined ? undefined : loadWorkload(flags.feed);
      const emulator = await Emulator.start({
        dir: flags.dir,
        port: flags.port,
        host: flags.host,
        inMemory: flags.inMemory,
        fsync: flags.fsync,
        enforceLimits: flags.enforceLimits,
        watch: flags.watch,
        concurrency: flags.concurrency,
        printLogs: true,
        ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
        ...(flags.stage !== undefined && { stage: flags.stage }),
        ...(flags.region !== undefined && { region: flags.region }),
        ...(flags.kinesisEndpoint !== undefined && { kinesisEndpoint: flags.kinesisEndpoint }),
      });
      // Listening before saying so: a signal sent on reading "ready" must find the handlers in place.
      const stopSignal = untilStopSignal();
      process.stdout.write(`eddy ready ${emulator.endpoint}\n`);
      const feed = workload && startFeed(emulator.endpoint, workload);
      await stopSignal;
      await feed?.stop();
      await emulator.stop();
    });
}

/**
 * Resolves on the first SIGINT or SIGTERM. Ctrl-C under `npm start` delivers SIGINT twice (the terminal
 * signals the whole group and npm forwards its own), so repeats within a second are ignored; a later one
 * means the user wants out now, without waiting for in-flight handlers.
 */
function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        resolve();
      } else if (Date.now() - firstAt > 1000) {
        process.stderr.write(`eddy: ${signal} again, stopping without waiting for in-flight work\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function startFeed(endpoint: string, workload: ReturnType<typeof loadWorkload>): Feed {
  const kinesis = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'eddy', secretAccessKey: 'eddy' },
  });
  let warned = false;
  process.stdout.write(`eddy | feeding workload "${workload.name}" into ${[...new Set(workload.producers.map((p) => p.stream))].join(', ')}\n`);
  return new Feed(workload, {
    async putRecords(streamName, records) {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: records.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
        }),
      );
    },
    onError(err) {
      if (warned) return;
      warned = true;
      process.stderr.write(`eddy | feed: ${(err as Error).message}\n`);
    },
  }).start();
}
