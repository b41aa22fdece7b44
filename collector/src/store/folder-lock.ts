// One process per embedded data folder: a lock file created exclusively, holding the owner's pid
// and host. PGlite is one in-process database; two processes on one folder each keep their own
// copy and overwrite the other's, so what one of them acknowledged would be lost.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rm } from 'node:fs/promises';

export const LOCK_FILE = 'painchain.lock';

export interface FolderLock {
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  since?: string;
}

/** Is that process still running on this machine? (EPERM: it runs, as another user.) */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' ? { host: '?', ...parsed, pid: parsed.pid } : undefined;
  } catch {
    return undefined;
  }
}

/** What the folder holds, for the refusal's words. */
export type LockedFolder = 'data' | 'spool';

const ADVICE: Record<LockedFolder, string> = {
  data:
    'one collector per embedded data folder. ' +
    'Stop that collector, or give this one another folder (PAINCHAIN_DATA_DIR, store.dataDir) or PostgreSQL (DATABASE_URL).',
  spool:
    'every collector needs a spool folder of its own, even on one PostgreSQL. ' +
    'Stop that collector, or give this one another folder (PAINCHAIN_SPOOL_DIR, spool.dir; or PAINCHAIN_DATA_DIR, which holds it by default).',
};

/** Takes the folder for this process, or throws naming the folder and the process holding it. */
export async function lockDataFolder(
  dir: string,
  what: LockedFolder = 'data',
): Promise<FolderLock> {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(JSON.stringify(me));
      await file.close();
      return {
        release: async () => {
          // Only our own lock: never one a later process took over.
          if ((await readHolder(path))?.pid === me.pid) await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readHolder(path);
      const sameHost = holder?.host === me.host || holder?.host === '?';
      if (holder && (!sameHost || alive(holder.pid))) {
        throw new Error(
          `the ${what} folder ${dir} is in use by process ${holder.pid} on ${holder.host}` +
            `${holder.since ? ` since ${holder.since}` : ''}: ${ADVICE[what]}`,
        );
      }
      // Left by a process that is gone (a crash, kill -9): take it over.
      await rm(path, { force: true });
    }
  }
  throw new Error(`the ${what} folder ${dir} could not be locked`);
}
