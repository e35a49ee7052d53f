// File and folder names for stream keys, shard ids and document keys: safe on every file system.
import { createHash } from 'node:crypto';

const MAX_NAME = 160;

/**
 * A readable, collision-free name: [a-z0-9_-] and inner dots stay, an upper-case letter becomes '^'
 * and its lower case (so names that differ only in case stay apart on macOS and Windows:
 * shardId-000000000000 -> shard^id-000000000000), every other byte is %XX. Names too long for a file
 * system get a prefix plus a hash of the whole key, marked by '~' (which the escaping never produces).
 */
export function safeName(key: string): string {
  let out = '';
  const bytes = Buffer.from(key, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const keep =
      (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x2d || (b === 0x2e && i > 0);
    if (keep) out += String.fromCharCode(b);
    else if (b >= 0x41 && b <= 0x5a) out += `^${String.fromCharCode(b + 0x20)}`;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length === 0) return '%';
  if (out.length <= MAX_NAME) return out;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `${out.slice(0, MAX_NAME - 40)}~${hash}`;
}
