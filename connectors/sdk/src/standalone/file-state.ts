// Durable connector state for a standalone connector: one JSON file, rewritten atomically
// (write a temporary file, then rename) so a crash never leaves half a file behind.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConnectorState } from '../connector.js';

export function fileState(path: string): ConnectorState {
  let values: Map<string, unknown> | undefined;
  // Writes are chained so that two set() calls never interleave their renames.
  let writing: Promise<void> = Promise.resolve();

  const load = async (): Promise<Map<string, unknown>> => {
    if (values) return values;
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      values = new Map(Object.entries(parsed));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(
          `cannot read connector state ${path}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      values = new Map();
    }
    return values;
  };

  const persist = async () => {
    const snapshot = JSON.stringify(Object.fromEntries(await load()));
    const next = writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, snapshot, 'utf8');
      await rename(temporary, path);
    });
    writing = next.catch(() => undefined);
    await next;
  };

  return {
    async get<T>(key: string): Promise<T | undefined> {
      const map = await load();
      return map.has(key) ? (structuredClone(map.get(key)) as T) : undefined;
    },
    async set(key: string, value: unknown): Promise<void> {
      const text = JSON.stringify(value);
      if (text === undefined)
        throw new Error(`state.set("${key}"): value is not JSON-serializable`);
      (await load()).set(key, JSON.parse(text));
      await persist();
    },
    async delete(key: string): Promise<void> {
      if ((await load()).delete(key)) await persist();
    },
  };
}
