// One browser session for the browser tests: a live collector on PGlite with the sample changes
// and a Grafana alert, the harness page built with vite and served behind Grafana's data proxy
// (emulated from the datasource's plugin.json routes), and Debian's Chromium.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../../collector/src/app.js';
import { createConfig } from '../../../collector/src/config/load-config.js';
import { PGliteDb } from '../../../collector/src/store/pglite-db.js';
import { TEST_IDS } from '../../src/test-ids.js';
import type { PluginRoute } from '../support/data-proxy.js';
import { READ_TOKEN, startLiveCollector, type LiveCollector } from '../support/live-collector.mjs';
import { buildHarness } from './build-harness.js';
import { startHarnessServer, type HarnessServer } from './harness-server.js';

export const pluginDir = fileURLToPath(new URL('../..', import.meta.url));
export const resultsDir = `${pluginDir}test-results`;
/** Screenshots the README shows; written there only when PAINCHAIN_UPDATE_SCREENSHOTS=1. */
export const docsImgDir = fileURLToPath(new URL('../../../docs/img', import.meta.url));
export const updateScreenshots = process.env.PAINCHAIN_UPDATE_SCREENSHOTS === '1';

export const byTestId = (id: string) => `[data-testid="${id}"]`;

export interface BrowserSession {
  collector: LiveCollector;
  server: HarnessServer;
  browser: Browser;
  /** Opens `path` (with `?now=` added) in a fresh context; collects console errors and 4xx/5xx. */
  open(
    path: string,
    options?: { viewport?: { width: number; height: number } }
  ): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

export async function startBrowserSession(): Promise<BrowserSession> {
  const routes = (
    JSON.parse(readFileSync(`${pluginDir}src/datasource/plugin.json`, 'utf8')) as { routes: PluginRoute[] }
  ).routes;
  const [pageDir, collector] = await Promise.all([
    buildHarness(pluginDir),
    startLiveCollector({ buildApp, createConfig, PGliteDb }),
  ]);
  const server = await startHarnessServer({
    pageDir,
    iconsDir: fileURLToPath(new URL('../../../node_modules/@grafana/ui/dist/public/img/icons', import.meta.url)),
    fontsDir: fileURLToPath(new URL('../../../node_modules/@fontsource/inter/files', import.meta.url)),
    routes,
    datasource: {
      proxyBase: '/api/datasources/proxy/uid/painchain',
      url: collector.url,
      secureJsonData: { apiToken: READ_TOKEN },
    },
  });
  mkdirSync(resultsDir, { recursive: true });
  const browser = await launch().catch(async (err: unknown) => {
    await server.close();
    await collector.close();
    throw err;
  });

  async function open(path: string, options: { viewport?: { width: number; height: number } } = {}) {
    // A fresh context per page: its own profile, nothing shared between themes.
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1040, height: 760 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    const separator = path.includes('?') ? '&' : '?';
    await page.goto(`${server.url}${path}${separator}now=${collector.now}`);
    await page.waitForFunction(() => window.harness?.ready || window.harness?.error, undefined, { timeout: 30_000 });
    const failure = await page.evaluate(() => window.harness.error);
    if (failure) {
      throw new Error(`harness: ${failure}`);
    }
    return { page, errors };
  }

  return {
    collector,
    server,
    browser,
    open,
    async close() {
      await browser.close();
      await server.close();
      await collector.close();
    },
  };
}

/** A Drawer counts as visible while it still slides in: wait until it is inside the viewport. */
export async function drawerOnScreen(page: Page): Promise<void> {
  await page.waitForFunction((sel) => {
    const box = document.querySelector(sel)?.getBoundingClientRect();
    return box !== undefined && box.width > 0 && box.right <= window.innerWidth + 1;
  }, byTestId(TEST_IDS.drawer.body));
}

/** Saves a screenshot to test-results, and to docs/img when the README's pictures are renewed. */
export async function screenshot(
  target: Page | ReturnType<Page['locator']>,
  name: string,
  forDocs = false
): Promise<void> {
  await target.screenshot({ path: `${resultsDir}/${name}.png`, animations: 'disabled' });
  if (forDocs && updateScreenshots) {
    mkdirSync(docsImgDir, { recursive: true });
    await target.screenshot({ path: `${docsImgDir}/${name}.png`, animations: 'disabled' });
  }
}
