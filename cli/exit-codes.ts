// The documented exit codes of every eddy command (README "Exit codes").
export const exitCodes = {
  ok: 0,
  /** A command failed, or an invoked function returned an error. */
  failure: 1,
  /** Bad flags, a bad option value or an invalid configuration. */
  usage: 2,
  /** `eddy simulate --budget`: the projected monthly bill is over the budget. */
  budgetExceeded: 3,
  /** No running eddy was found for a command that needs one. */
  notRunning: 4,
} as const;
