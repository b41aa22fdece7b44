// The collector's logger: readable lines on a terminal (pino-pretty, in-process), JSON lines
// for machines (files, pipes, log shippers). `log.format` or PAINCHAIN_LOG_FORMAT overrides.
import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogFormat } from '../config/config-schema.js';

/** Secrets never reach the log, whatever a request carries. */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers["x-gitlab-token"]',
  'req.headers.cookie',
];

export function createLogger(
  level: string,
  format: LogFormat,
  stdoutIsTerminal = process.stdout.isTTY === true,
): { logger: Logger; pretty: boolean } {
  const pretty = format === 'pretty' || (format === 'auto' && stdoutIsTerminal);
  if (!pretty) return { logger: pino({ level, redact: LOG_REDACT }), pretty };
  const stream = PinoPretty({
    colorize: stdoutIsTerminal,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true,
  });
  return { logger: pino({ level, redact: LOG_REDACT }, stream), pretty };
}
