// Imported first by main.ts, for its side effect: the OpenTelemetry SDK starts before fastify
// and node:http are loaded (ES modules evaluate their imports in order), so that the http
// instrumentation sees them. Tests build the app without it: nothing is traced there.
import { startTelemetry } from './start-telemetry.js';

export const telemetry = startTelemetry(process.env);
