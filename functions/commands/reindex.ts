// A command: rebuilds an index (here: counts to a size) and reports what it did.
import type { Handler } from 'aws-lambda';

export const handler: Handler<{ size?: number }, { reindexed: number; checksum: number }> = async (args) => {
  const size = Math.min(Math.max(args.size ?? 100, 0), 1_000_000);
  let checksum = 0;
  for (let i = 0; i < size; i++) checksum = (checksum + i * 31) % 1_000_003;
  return { reindexed: size, checksum };
};
