// What the `record` handler of test/fixtures/emulator (and of the fixtures re-using it) wrote: one line per
// record it was given, to the file named by EDDY_TEST_OUT_FILE.
import { existsSync, readFileSync } from 'node:fs';

export interface RecordedLine {
  shardId: string;
  key: string;
  data: string;
}

export function recorded(): RecordedLine[] {
  const file = process.env.EDDY_TEST_OUT_FILE!;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RecordedLine);
}
