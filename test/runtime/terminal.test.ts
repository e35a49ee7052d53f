// colorAllowed: one colour rule for the CLI tables, function logs and cost reports.
import { describe, expect, it } from 'vitest';
import { colorAllowed } from '../../runtime/terminal.ts';

describe('colorAllowed', () => {
  it('colours a TTY unless NO_COLOR is set to something or TERM is dumb', () => {
    expect(colorAllowed({ isTTY: true }, {})).toBe(true);
    expect(colorAllowed({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorAllowed({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorAllowed({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorAllowed({ isTTY: false }, {})).toBe(false);
    expect(colorAllowed({}, {})).toBe(false);
  });
});
