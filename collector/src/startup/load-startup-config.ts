// The configuration a command of the collector (`npm start`, `npm run demo`) runs with: the file
// and server options its command line names, the environment, the installed connector and
// exporter types. What is wrong is printed, once, for the command to exit with.
import { ConfigError, loadConfig, type CollectorArgs, type Config } from '../config/index.js';
import { EXPORTER_TYPES } from '../exporters/exporter-registry.js';
import { CONNECTOR_TYPES } from '../runner/connector-registry.js';

/** The Config, or undefined after printing why there is none (telemetry settings, the file). */
export async function loadStartupConfig(
  args: CollectorArgs,
  telemetryProblems: readonly string[],
): Promise<Config | undefined> {
  if (telemetryProblems.length > 0) {
    console.error(`painchain: ${telemetryProblems.join('; ')}`);
    return undefined;
  }
  try {
    return await loadConfig({
      path: args.configPath,
      overrides: { host: args.host, port: args.port },
      env: process.env,
      connectorTypes: CONNECTOR_TYPES,
      exporterTypes: EXPORTER_TYPES,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`painchain: ${err.message}`);
    return undefined;
  }
}
