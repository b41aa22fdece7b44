// The command line of `npm run demo`: its own `--remove`, and the collector's options, which it
// passes on to the collector it starts.
import { parseArgs, type CollectorArgs } from '../config/load-config.js';

export const REMOVE_FLAG = '--remove';

export interface DemoArgs {
  /** Delete the sample and exit instead of filling and starting. */
  remove: boolean;
  /** The collector's options (`--config`, `--port`, `--host`, `--help`). */
  collector: CollectorArgs;
  /** The same, as written: what the collector it starts reads. */
  collectorArgv: string[];
}

/** Throws with what is wrong, as parseArgs does. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const collectorArgv = argv.filter((arg) => arg !== REMOVE_FLAG);
  return {
    remove: argv.includes(REMOVE_FLAG),
    collector: parseArgs(collectorArgv),
    collectorArgv,
  };
}
