// Builds the harness page with vite unless the last build is newer than every source it bundles.
// Browser test files run in parallel jest workers: one builds, the others wait for its build.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

/** A build older than this is from a run that died: its lock is taken over. */
const STALE_LOCK_MS = 10 * 60_000;

export async function buildHarness(pluginDir: string): Promise<string> {
  const outDir = join(pluginDir, 'test-results/harness');
  const built = join(outDir, 'index.html');
  const lock = join(pluginDir, 'test-results/.harness-build.lock');
  const fresh = () =>
    existsSync(built) &&
    statSync(built).mtimeMs >
      Math.max(
        newest(join(pluginDir, 'src')),
        newest(join(pluginDir, 'test/browser/harness')),
        // The harness renders a shipped dashboard.
        newest(join(pluginDir, '../dashboards'))
      );
  mkdirSync(join(pluginDir, 'test-results'), { recursive: true });
  for (;;) {
    if (fresh()) {
      return outDir;
    }
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) {
        rmSync(lock, { recursive: true, force: true });
      }
      await sleep(500);
    }
  }
  try {
    return await viteBuild(pluginDir, outDir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function viteBuild(pluginDir: string, outDir: string): Promise<string> {
  // The vite binary itself (not an npx wrapper), so nothing outlives the build.
  const vite = join(pluginDir, '../node_modules/vite/bin/vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'test/browser/vite.config.mjs'], {
    cwd: pluginDir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return outDir;
}
