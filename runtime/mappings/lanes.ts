// Lane assignment with ParallelizationFactor > 1: each shard runs PF ordered lanes, and a partition key
// always lands on the same lane, so per-key order holds while the lanes run concurrently.
// AWS does not document its function (reference §4.2, UNVERIFIED); eddy uses MD5(partitionKey) mod PF,
// the hash Kinesis itself routes keys with.
import { createHash } from 'node:crypto';

export function laneOf(partitionKey: string, parallelizationFactor: number): number {
  if (parallelizationFactor <= 1) return 0;
  const digest = createHash('md5').update(partitionKey, 'utf8').digest();
  // 128-bit big-endian value mod PF, without BigInt: fold the bytes (exact for PF <= 10).
  let rem = 0;
  for (const byte of digest) rem = (rem * 256 + byte) % parallelizationFactor;
  return rem;
}
