// MappingEngine: options are checked where they enter (an unknown key is refused by name); drain() times out with a code.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../runtime/clock.ts';
import { hasErrorCode } from '../../../runtime/errors.ts';
import type { Invoker } from '../../../runtime/lambda/types.ts';
import { MemoryLogRoot } from '../../../runtime/log/memory-root.ts';
import { MappingEngine, type MappingEngineOptions } from '../../../runtime/mappings/engine.ts';
import { CREDENTIALS, spec } from './helpers.ts';

// Never called: the engine is refused before it starts anything.
const invoker: Invoker = {
  invoke: () => Promise.reject(new Error('not used')),
  onReport: () => () => {},
};

const base: MappingEngineOptions = {
  root: new MemoryLogRoot(),
  invoker,
  clock: systemClock,
  region: 'us-east-1',
  accountId: '000000000000',
  kinesisEndpoint: 'http://127.0.0.1:9',
};

async function refusal(options: unknown): Promise<unknown> {
  try {
    await MappingEngine.create(options as MappingEngineOptions);
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

describe('MappingEngine.create options', () => {
  it('refuses an unknown option by name', async () => {
    const err = await refusal({ ...base, pollInterval: 5 });
    expect(hasErrorCode(err, 'EDDY_ERR_OPTION_INVALID')).toBe(true);
    expect((err as Error).message).toBe('Invalid option in MappingEngine.create(): "pollInterval"');
  });

  it('refuses a poll interval that is not a positive number', async () => {
    const err = await refusal({ ...base, pollIntervalMs: 0 });
    expect((err as Error).message).toBe('MappingEngine.create(): "pollIntervalMs" must be a positive number of milliseconds');
  });

  it('opens and closes with no mappings', async () => {
    const engine = await MappingEngine.create(base);
    expect(engine.list()).toEqual([]);
    expect(engine.status()).toEqual([]);
    await engine.drain({ timeoutMs: 1_000 });
    await engine.close();
  });
});

describe('MappingEngine.drain', () => {
  it('rejects with EDDY_ERR_DRAIN_TIMEOUT when the mappings cannot catch up in time', async () => {
    const engine = await MappingEngine.create({ ...base, root: new MemoryLogRoot(), credentials: CREDENTIALS, onWarning: () => {} });
    try {
      await engine.add(spec('never', 'unreachable'));
      const err = await engine.drain({ timeoutMs: 200 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(hasErrorCode(err, 'EDDY_ERR_DRAIN_TIMEOUT')).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
