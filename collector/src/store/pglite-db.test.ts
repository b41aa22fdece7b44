// One process per embedded data folder: PGlite is one in-process database, and a second process
// opening the same folder would silently lose what the first one writes (and the other way).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGliteDb } from './pglite-db.js';

// Each test creates a data folder (initdb) and opens it up to three times: seconds each when
// alone, over half a minute on a machine busy with the other suites (seen in CI runs).
const OPENS_TIMEOUT_MS = 120_000;

describe('the embedded store in a data folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'painchain-pglite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test(
    'a second opener of the same folder is refused, naming the folder and the process holding it',
    async () => {
      const first = await PGliteDb.open(dir);
      try {
        await expect(PGliteDb.open(dir)).rejects.toThrow(
          new RegExp(
            `the data folder ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by process ${process.pid} on `,
          ),
        );
      } finally {
        await first.close();
      }
      // Closed: the folder is free again, and the data is still there.
      const again = await PGliteDb.open(dir);
      await again.close();
    },
    OPENS_TIMEOUT_MS,
  );

  test(
    'a lock left by a process that died is taken over',
    async () => {
      // A pid that cannot be alive (above the kernel's pid_max).
      await writeFile(
        join(dir, 'painchain.lock'),
        JSON.stringify({ pid: 2 ** 30, host: hostname() }),
      );
      const db = await PGliteDb.open(dir);
      const lock = JSON.parse(await readFile(join(dir, 'painchain.lock'), 'utf8')) as {
        pid: number;
      };
      expect(lock.pid).toBe(process.pid);
      await db.close();
    },
    OPENS_TIMEOUT_MS,
  );
});
