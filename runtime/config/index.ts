// What the rest of eddy uses of the config area: load serverless.yml (or resolve an already parsed object).
export { loadServiceConfig, type LoadOptions } from './load.ts';
export { resolveServiceConfig, ACCOUNT_ID, type ResolveOptions } from './resolve.ts';
export { parseServerlessYaml, findConfigFile, CONFIG_FILE_NAMES } from './parse.ts';
export type * from './types.ts';
