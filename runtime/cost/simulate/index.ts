// `eddy simulate`: workload file -> driver (against a SimulationTarget) -> analysis -> report.
export { loadWorkload, sampleWorkload, validateWorkload, type Workload, type Producer } from './workload.ts';
export { WorkloadGenerator } from './generator.ts';
export { runWorkload, sdkPutRecords, ScaledClock, type SimulationTarget, type SimulationRun, type DriverOptions, type Progress, type PutEntryResult } from './driver.ts';
export { analyse, atDurationStatistic, mode, budgetError, checkBudget, recommendShards, sweepPoint, type AnalyseOptions, type DurationStatistic } from './analysis.ts';
export { parseBudget, parseDurationScale, parseDurationStatistic, parseMemoryList, parseSample, parseSpeed } from './options.ts';
export { renderProgress } from './progress.ts';
export { emulatorTarget, type EmulatorTarget, type SimulatedEmulator } from './emulator-target.ts';
export { runSimulateCommand, formatOfFile, type SimulateCommandOptions, type SimulateCommandResult } from './run.ts';
