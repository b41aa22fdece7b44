// The real datasource and the real timeline panel in Chromium: a live collector on PGlite with
// sample changes, Grafana's data proxy in front of it, the panel rendered with @grafana/ui in
// both themes; the test runs a query, hovers, clicks, drags and types like a person would, and
// saves screenshots to grafana-plugin/test-results/.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../../../collector/src/app.js';
import { createConfig } from '../../../collector/src/config/load-config.js';
import { PGliteDb } from '../../../collector/src/store/pglite-db.js';
import { TEST_IDS } from '../../src/test-ids.js';
import type { PluginRoute } from '../support/data-proxy.js';
import { READ_TOKEN, startLiveCollector } from '../support/live-collector.mjs';
import { buildHarness } from './build-harness.js';
import { startHarnessServer, type HarnessServer } from './harness-server.js';

const pluginDir = fileURLToPath(new URL('../..', import.meta.url));
const resultsDir = `${pluginDir}test-results`;
const routes = (JSON.parse(readFileSync(`${pluginDir}src/datasource/plugin.json`, 'utf8')) as { routes: PluginRoute[] })
  .routes;

const byTestId = (id: string) => `[data-testid="${id}"]`;

let collector: Awaited<ReturnType<typeof startLiveCollector>>;
let server: HarnessServer;
let browser: Browser;

beforeAll(async () => {
  const [pageDir, live] = await Promise.all([
    buildHarness(pluginDir),
    startLiveCollector({ buildApp, createConfig, PGliteDb }),
  ]);
  collector = live;
  server = await startHarnessServer({
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
  browser = await chromium.launch({
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
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await collector?.close();
});

async function openHarness(query: string): Promise<{ page: Page; errors: string[] }> {
  // A fresh context per page: its own profile, nothing shared between themes.
  const context = await browser.newContext({ viewport: { width: 1040, height: 760 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(`${server.url}/?now=${collector.now}&${query}`);
  await page.waitForFunction(() => window.harness?.ready || window.harness?.error, undefined, { timeout: 30_000 });
  const failure = await page.evaluate(() => window.harness.error);
  expect(failure).toBeUndefined();
  return { page, errors };
}

async function drawerOnScreen(page: Page): Promise<void> {
  // A Drawer counts as visible while it still slides in: wait until it is inside the viewport.
  await page.waitForFunction((sel) => {
    const box = document.querySelector(sel)?.getBoundingClientRect();
    return box !== undefined && box.width > 0 && box.right <= window.innerWidth + 1;
  }, byTestId(TEST_IDS.drawer.body));
}

describe.each(['dark', 'light'])('timeline in the %s theme', (theme) => {
  it('queries the collector through the proxy, draws lanes and markers, and opens details', async () => {
    const { page, errors } = await openHarness(`theme=${theme}`);
    expect(await page.evaluate(() => window.harness.rows)).toBe(13);
    expect(server.proxied.every((p) => p.authorization === `Bearer ${READ_TOKEN}`)).toBe(true);

    const lanes = await page.locator(byTestId(TEST_IDS.timeline.laneLabel)).allInnerTexts();
    expect(lanes.map((l) => l.split('\n')[0])).toEqual(['api', 'payments', 'web']);
    const kinds = await page
      .locator(`${byTestId(TEST_IDS.timeline.marker)}, ${byTestId(TEST_IDS.timeline.cluster)}`)
      .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-kind')))]);
    expect(kinds.length).toBeGreaterThanOrEqual(5);
    expect(await page.locator(byTestId(TEST_IDS.timeline.cluster)).count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator(byTestId(TEST_IDS.timeline.interval)).count()).toBeGreaterThanOrEqual(2);
    await page
      .locator(byTestId(TEST_IDS.timeline.panel))
      .screenshot({ path: `${resultsDir}/timeline-${theme}.png`, animations: 'disabled' });

    // Hover: the tooltip names the change.
    const failed = page.locator(`${byTestId(TEST_IDS.timeline.marker)}[data-status="failed"][data-kind="deploy"]`);
    await failed.hover();
    await expect(page.locator(byTestId(TEST_IDS.timeline.tooltip)).innerText()).resolves.toContain(
      'Rollout payments v2.8.0 failed'
    );

    // Click: the drawer renders the event generically.
    await failed.click();
    await drawerOnScreen(page);
    const drawer = page.locator(byTestId(TEST_IDS.drawer.body));
    const text = await drawer.innerText();
    expect(text).toContain('ProgressDeadlineExceeded');
    expect(text).toContain('Chain');
    expect(await drawer.locator('a[href="https://argo.example.com/applications/payments"]').count()).toBeGreaterThan(0);
    expect(text).toMatch(/ago/);
    // Icons (user, external link) come from Grafana's public path: rendered, not blank.
    expect(await drawer.locator('svg').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${resultsDir}/drawer-${theme}.png`, animations: 'disabled' });
    await page.keyboard.press('Escape');
    await page.locator(byTestId(TEST_IDS.drawer.body)).waitFor({ state: 'detached' });

    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

it('zooms by drag (sets the time range) and moves between markers with the keyboard', async () => {
  const { page, errors } = await openHarness('theme=dark');
  const track = page.locator(byTestId(TEST_IDS.timeline.track)).first();
  const box = (await track.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + 4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + 4, { steps: 5 });
  await page.mouse.up();
  const zoomed = await page.evaluate(() => window.harness.lastTimeRange);
  expect(zoomed).toBeDefined();
  const span = 3 * 3600_000 + 5 * 60_000;
  expect(zoomed!.to - zoomed!.from).toBeGreaterThan(span * 0.15);
  expect(zoomed!.to - zoomed!.from).toBeLessThan(span * 0.25);

  await page.goto(`${server.url}/?now=${collector.now}&theme=dark`);
  await page.waitForFunction(() => window.harness?.ready);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  expect(first).toMatch(/^CI #812 on main: pipeline, succeeded, api/);
  await page.keyboard.press('ArrowRight');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Deploy api v1.4.2/);
  await page.keyboard.press('ArrowDown');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/payments/);
  await page.keyboard.press('Enter');
  await drawerOnScreen(page);
  expect(errors).toEqual([]);
  await page.context().close();
}, 60_000);

it('renders 10,000 events in a fraction of a second', async () => {
  const { page } = await openHarness('theme=dark&bench=10000');
  const bench = await page.evaluate(() => window.harness.bench);
  console.warn(
    `timeline render, 10,000 events: median ${bench!.renderMs.toFixed(0)} ms of ${bench!.runsMs.map((r) => r.toFixed(0)).join(', ')}`
  );
  // The benchmark (npm run bench -w grafana-plugin) holds the 200 ms line; here a loose guard
  // against regressions on a busy CI machine.
  expect(bench!.renderMs).toBeLessThan(1000);
  await page.locator(byTestId(TEST_IDS.timeline.panel)).screenshot({ path: `${resultsDir}/timeline-10000.png` });
  await page.context().close();
}, 60_000);
