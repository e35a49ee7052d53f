// Hot reload: watches the service folder; a saved handler (or anything it imports) rebuilds that function
// and swaps its pool, and a saved serverless.yml (or .env file) is re-applied. Errors are reported and the
// running code or config is kept.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isDotenvFile } from './config/load.ts';
import { CONFIG_FILE_NAMES } from './config/parse.ts';

export interface WatchTarget {
  /** The folder of serverless.yml. */
  dir: string;
  /** Function keys currently served. */
  functionKeys(): Iterable<string>;
  /** The files a function's current bundle was built from. */
  inputs(functionKey: string): Promise<string[]>;
  /** Rebuilds one function; rejects (and keeps the old code) on a build error, after printing it. */
  rebuild(functionKey: string): Promise<{ changed: boolean }>;
  /** Re-reads and applies serverless.yml; rejects (and keeps the running config) when it is invalid. */
  reloadConfig(): Promise<unknown>;
  /** Says what happened (rebuilt, failed) on the terminal. */
  notice(message: string): void;
}

/** serverless.yml (any of its names), and the .env files its `${env:…}` variables read (config/load.ts). */
function isConfigFile(name: string): boolean {
  return (CONFIG_FILE_NAMES as readonly string[]).includes(name) || isDotenvFile(name);
}

const IGNORED = /(^|[/\\])(node_modules|\.git|\.eddy|\.serverless|\.esbuild|\.build)([/\\]|$)/;

export class Watcher {
  readonly #target: WatchTarget;
  readonly #watcher: FSWatcher;
  /** One chain of work, so rebuilds and reloads apply in the order their files were saved. */
  #queue: Promise<void> = Promise.resolve();
  #pendingFiles = new Set<string>();
  /** Events in the pending burst (one file can have several: an atomic save is unlink + add, or two changes). */
  #pendingEvents = 0;
  #scheduled = false;
  #seen = 0;
  #applied = 0;

  private constructor(target: WatchTarget, watcher: FSWatcher) {
    this.#target = target;
    this.#watcher = watcher;
    const onFile = (file: string): void => this.#changed(path.resolve(file));
    watcher.on('add', onFile).on('change', onFile).on('unlink', onFile);
  }

  static async start(target: WatchTarget): Promise<Watcher> {
    const watcher = watch(target.dir, {
      ignored: (file) => IGNORED.test(path.relative(target.dir, file)),
      ignoreInitial: true,
      persistent: true,
    });
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    return new Watcher(target, watcher);
  }

  /** Resolves once every change seen so far has been applied. */
  settled(): Promise<void> {
    return this.#queue;
  }

  /** File events seen, and how many of them have been acted on (tests wait on these, not on time). */
  get counts(): { seen: number; applied: number } {
    return { seen: this.#seen, applied: this.#applied };
  }

  #changed(file: string): void {
    this.#seen++;
    this.#pendingEvents++;
    this.#pendingFiles.add(file);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Editors save in several steps (write temp, rename): collect the burst before acting on it.
    setTimeout(() => {
      this.#scheduled = false;
      const files = [...this.#pendingFiles];
      const events = this.#pendingEvents;
      this.#pendingFiles.clear();
      this.#pendingEvents = 0;
      this.#queue = this.#queue.then(() => this.#apply(files)).finally(() => (this.#applied += events));
    }, 25);
  }

  async #apply(files: string[]): Promise<void> {
    const target = this.#target;
    const configFiles = files.filter((f) => path.dirname(f) === target.dir && isConfigFile(path.basename(f)));
    if (configFiles.length > 0) {
      try {
        await target.reloadConfig();
        const envFiles = configFiles.map((f) => path.basename(f)).filter(isDotenvFile);
        target.notice(`serverless.yml re-applied${envFiles.length > 0 ? ` (${envFiles.sort().join(', ')} saved)` : ''}`);
      } catch (err) {
        target.notice(`serverless.yml not applied, the running configuration is kept:\n${(err as Error).message}`);
      }
      // Handlers saved in the same burst still get rebuilt below (unchanged bundles are left alone).
    }
    const changed = new Set(files);
    for (const key of [...target.functionKeys()]) {
      const inputs = await target.inputs(key);
      if (!inputs.some((f) => changed.has(path.resolve(f)))) continue;
      try {
        const rebuilt = await target.rebuild(key);
        if (rebuilt.changed) target.notice(`${key}: rebuilt`);
      } catch {
        // The runtime has printed the build error (file:line).
        target.notice(`${key}: the previous code keeps serving`);
      }
    }
  }

  async close(): Promise<void> {
    await this.#watcher.close();
    await this.#queue;
  }
}
