// eddy's public API, exported by name: start an Emulator from code (users' tests, tools) and the seams it takes.
export { Emulator, ACCOUNT_ID, type EmulatorOptions, type EddyStatus } from './emulator.ts';
export { VirtualClock, systemClock, type Clock } from './clock.ts';
export { EddyError, errorCatalogue, hasErrorCode, type EddyErrorCode } from './errors.ts';
export type { InvokeRequest, InvokeResult, InvocationReport } from './lambda/types.ts';
export type { KinesisEvent } from './kinesis/types.ts';
export type { ServiceConfig, FunctionConfig, StreamEventConfig } from './config/types.ts';
