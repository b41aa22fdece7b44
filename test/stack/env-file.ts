// Reads a .env file the way docker compose does for the simple form we use: KEY=value lines,
// comments and blank lines ignored, optional single or double quotes around the value.
import { randomBytes } from 'node:crypto';
import { readText } from './stack-files.js';

export interface EnvEntry {
  name: string;
  value: string;
  /** The comment lines right above the entry. */
  comment: string;
}

export function parseEnvFile(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  let comment: string[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') {
      comment = [];
      continue;
    }
    if (line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`line ${index + 1}: not KEY=value: ${raw}`);
    const value = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
    entries.push({ name: m[1]!, value, comment: comment.join(' ') });
    comment = [];
  }
  return entries;
}

/** .env.example's entries. */
export const exampleEntries = (): EnvEntry[] => parseEnvFile(readText('.env.example'));

/**
 * The environment a user has after following .env.example: its values, and each empty secret
 * filled the way it says (openssl rand -hex 24).
 */
export function exampleEnv(): Record<string, string> {
  return Object.fromEntries(
    exampleEntries().map((e) => [e.name, e.value || randomBytes(24).toString('hex')]),
  );
}
