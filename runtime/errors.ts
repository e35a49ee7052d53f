// The catalogue of eddy's own errors (not AWS API errors): stable codes, matched by code, never by class.

export const errorCatalogue = {
  EDDY_ERR_CONFIG_INVALID: 'The configuration is invalid.',
  EDDY_ERR_CONFIG_NOT_FOUND: 'No serverless.yml was found.',
  EDDY_ERR_OPTION_INVALID: 'An option has an invalid value.',
  EDDY_ERR_DATA_DIR_LOCKED: 'Another eddy is using this data dir.',
  EDDY_ERR_DATA_CORRUPT: 'A data file could not be read.',
  EDDY_ERR_LISTEN_FAILED: 'The server could not listen on the requested address.',
  EDDY_ERR_BUILD_FAILED: 'A function could not be bundled.',
  EDDY_ERR_FUNCTION_NOT_FOUND: 'No function has that name.',
  EDDY_ERR_STOPPED: 'The emulator is stopping or stopped.',
  EDDY_ERR_NOT_RUNNING: 'No running eddy was found.',
  EDDY_ERR_BUDGET_EXCEEDED: 'The projected monthly cost is over the budget.',
  EDDY_ERR_WORKLOAD_INVALID: 'The workload file is invalid.',
  EDDY_ERR_DRAIN_TIMEOUT: 'The event-source mappings did not catch up in time.',
} as const;

export type EddyErrorCode = keyof typeof errorCatalogue;

export class EddyError extends Error {
  readonly code: EddyErrorCode;

  constructor(code: EddyErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? errorCatalogue[code], options);
    this.name = 'EddyError';
    this.code = code;
  }
}

/** True when err carries the given eddy error code (works across postMessage, where classes are lost). */
export function hasErrorCode(err: unknown, code: EddyErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
