#!/usr/bin/env node
// The GitHub connector as its own process: the same connector, its events POSTed to a
// collector, heartbeats sent, cursors kept in a state file. Stops cleanly on SIGTERM/SIGINT.
import type { ConnectorLogger } from '@painchain/sdk';
import { CollectorClient, fileState, runStandalone } from '@painchain/sdk/standalone';
import { githubConfigProblems } from './github-config.js';
import { githubConnector } from './github-connector.js';
import { parseStandaloneArgs, STANDALONE_USAGE } from './standalone-args.js';

/** One JSON line per entry on stderr, like the collector's pino output (levels as pino numbers). */
function jsonLogger(bindings: Record<string, unknown>): ConnectorLogger {
  const write = (level: number) => (obj: object | string, msg?: string) => {
    const fields = typeof obj === 'string' ? { msg: obj } : { ...obj, msg };
    process.stderr.write(
      `${JSON.stringify({ level, time: Date.now(), ...bindings, ...fields })}\n`,
    );
  };
  return {
    debug: () => undefined,
    info: write(30),
    warn: write(40),
    error: write(50),
    child: (more) => jsonLogger({ ...bindings, ...more }),
  };
}

async function main(): Promise<number> {
  let args;
  try {
    args = await parseStandaloneArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`painchain-github: ${(error as Error).message}\n\n${STANDALONE_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.error(STANDALONE_USAGE);
    return 0;
  }
  const problems = githubConfigProblems(args.options);
  if (problems.length > 0) {
    console.error(`painchain-github: invalid options:\n  ${problems.join('\n  ')}`);
    return 2;
  }
  const logger = jsonLogger({ connector: args.name, type: 'github' });
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) process.exit(1);
      logger.info({ signal }, 'stopping');
      controller.abort();
    });
  }
  // Never the token values: only where things go.
  logger.info({ collector: args.collector, stateFile: args.stateFile }, 'starting');
  try {
    await runStandalone({
      definition: githubConnector,
      name: args.name,
      options: args.options,
      collector: new CollectorClient({ url: args.collector, token: args.token }),
      state: fileState(args.stateFile),
      logger,
      signal: controller.signal,
      heartbeatSeconds: args.heartbeatSeconds,
    });
  } catch (error) {
    console.error(`painchain-github: ${(error as Error).message}`);
    return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('painchain-github: failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
