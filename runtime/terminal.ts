// Whether output to a stream may be coloured: one rule for every part of eddy that prints.

/** A TTY, NO_COLOR unset or empty (https://no-color.org), and a terminal that is not "dumb". */
export function colorAllowed(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '') && env['TERM'] !== 'dumb';
}
