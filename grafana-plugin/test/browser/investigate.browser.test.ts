// The app's Investigate page in Chromium, against a live collector with a real Grafana alert:
// ranked suspects with reasons, their chains, the timeline with the alert marked, every state
// (no change correlated, error, nothing asked, no datasource), and the targets of the extension
// links, computed by their configure functions from contexts shaped as Grafana passes them.
import { TEST_IDS } from '../../src/test-ids.js';
import { byTestId, screenshot, startBrowserSession, type BrowserSession } from './browser-session.js';

let session: BrowserSession;

beforeAll(async () => {
  session = await startBrowserSession();
}, 240_000);

afterAll(async () => {
  await session?.close();
});

const WIDE = { width: 1280, height: 1500 };
const PAGE = '/a/painchain-app/investigate';

describe.each(['dark', 'light'])('the Investigate page in the %s theme', (theme) => {
  it('ranks the suspects of an alert with reasons, draws the first chain and marks the alert on the timeline', async () => {
    const { page, errors } = await session.open(`${PAGE}?alert=${session.collector.alertId}&theme=${theme}`, {
      viewport: WIDE,
    });
    await page.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
    const summary = await page.locator(byTestId(TEST_IDS.app.summary)).innerText();
    expect(summary).toContain('Firing: PaymentsErrorRate — payments answers 5xx to 7% of requests');
    expect(summary).toContain('payments · production · prod-eu/payments');

    const items = page.locator(byTestId(TEST_IDS.suspects.item));
    const titles = await items.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(titles).toEqual([
      'Suspect 1: Rollout payments v2.8.0 failed, score 100',
      'Suspect 2: CI #2040 on main: build and push image, score 60',
      'Suspect 3: Merge #412: Retry card declines with backoff, score 60',
      'Suspect 4: PR #412: Retry card declines with backoff, score 60',
      'Suspect 5: Push 2 commits to retry-declines, score 60',
      'Suspect 6: ConfigMap payments-limits updated, score 51',
    ]);
    const reasons = await items.first().locator(byTestId(TEST_IDS.suspects.reasons)).innerText();
    expect(reasons).toContain('deployed to production 4 min before the alert');
    expect(reasons).toContain('it failed');
    expect(await items.nth(2).locator(byTestId(TEST_IDS.suspects.reasons)).innerText()).toContain(
      'shipped to production with "Rollout payments v2.8.0 failed" (same commit: d1ce5eed'
    );

    // The first suspect's chain is open: commit to rollout, each joint labelled, each node a link.
    const chain = items.first().locator(byTestId(TEST_IDS.chain.body));
    await chain.waitFor();
    expect(
      await chain
        .locator(byTestId(TEST_IDS.chain.node))
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))
    ).toEqual(['push', 'pull_request', 'merge', 'pipeline', 'deploy']);
    // The pull request joins the merge below it (by its head commit), not the push above it.
    expect((await chain.locator(byTestId(TEST_IDS.chain.link)).allInnerTexts()).map((t) => t.trim())).toEqual([
      '',
      'joined by commit c0ffee4 with “Push 2 commits to retry-declines”\njoined by commit c0ffee4',
      'joined by commit d1ce5ee',
      'joined by image ghcr.io/acme/payments:2.8.0',
    ]);
    expect(await chain.locator('a[href="https://github.com/acme/payments/actions/runs/2040"]').count()).toBe(1);

    // Another suspect opens its own chain, rooted at itself.
    const merge = items.nth(2);
    await merge.locator(byTestId(TEST_IDS.suspects.chainToggle)).click();
    const mergeRoot = merge.locator(`${byTestId(TEST_IDS.chain.node)}[data-root="true"]`);
    await mergeRoot.waitFor();
    expect(await mergeRoot.getAttribute('data-kind')).toBe('merge');
    await merge.locator(byTestId(TEST_IDS.suspects.chainToggle)).click();

    // The timeline: every change of the window, the alert marked.
    const timeline = page.locator(byTestId(TEST_IDS.app.timeline));
    await timeline.locator(byTestId(TEST_IDS.timeline.panel)).waitFor();
    expect(await timeline.locator(byTestId(TEST_IDS.app.mark)).innerText()).toBe('Alert fired');
    const lanes = await timeline.locator(byTestId(TEST_IDS.timeline.laneLabel)).allInnerTexts();
    expect(lanes.map((l) => l.split('\n')[0])).toEqual(['api', 'payments', 'web']);

    await screenshot(page, `investigate-${theme}`, true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});

it('says "no change correlated" in words and offers a wider window', async () => {
  const at = session.collector.now - 5 * 3600_000;
  const { page, errors } = await session.open(`${PAGE}?service=search&environment=production&at=${at}&theme=dark`);
  const none = page.locator(byTestId(TEST_IDS.suspects.noChange));
  await none.waitFor();
  const text = await none.innerText();
  expect(text).toContain('No change correlated');
  expect(text).toContain('nothing for search, production scores 10 or more in the 120 minutes before');
  await none.getByRole('button', { name: 'Look back a day' }).click();
  await page.waitForURL(/lookback=1d/);
  expect(new URL(page.url()).searchParams.get('at')).toBe(String(at));
  await page.locator(byTestId(TEST_IDS.suspects.noChange)).waitFor();
  expect(await page.locator(byTestId(TEST_IDS.suspects.noChange)).innerText()).toContain('1440 minutes before');
  expect(errors).toEqual([]);
  await page.context().close();
}, 60_000);

it('explains an unknown alert and a bad parameter, and keeps the question form', async () => {
  const { page, errors } = await session.open(`${PAGE}?alert=00000000-0000-4000-8000-000000000000&at=yesterday`);
  const error = page.locator(byTestId(TEST_IDS.app.error));
  await error.waitFor();
  expect(await error.innerText()).toContain('No event 00000000-0000-4000-8000-000000000000');
  expect(await page.locator(byTestId(TEST_IDS.app.investigate)).innerText()).toContain(
    '"at" must be epoch milliseconds or an RFC 3339 time, not "yesterday"'
  );
  expect(await page.locator(byTestId(TEST_IDS.app.form)).count()).toBe(1);
  // The collector's own 404 is the only failed request.
  expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
  await page.context().close();
}, 60_000);

it('starts from nothing: explains where to come from and asks about the last two hours', async () => {
  const { page, errors } = await session.open(`${PAGE}?theme=light`);
  const start = page.locator(byTestId(TEST_IDS.app.start));
  await start.waitFor();
  expect(await start.innerText()).toContain('Recent changes');
  // The service field offers the collector's values.
  await page.getByRole('combobox', { name: 'Service' }).click();
  await page.getByRole('option', { name: /payments/ }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'What changed in the last 2 hours' }).click();
  await page.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
  expect(await page.locator(byTestId(TEST_IDS.suspects.item)).count()).toBeGreaterThan(0);
  expect(errors).toEqual([]);
  await page.context().close();
}, 60_000);

it('says how to add a PainChain data source when Grafana has none', async () => {
  const { page, errors } = await session.open(`${PAGE}?service=payments&datasources=none`);
  const missing = page.locator(byTestId(TEST_IDS.app.noDatasource));
  await missing.waitFor();
  expect(await missing.innerText()).toContain('No PainChain data source yet');
  expect(await missing.getByRole('link', { name: /Add a data source/ }).getAttribute('href')).toBe(
    '/connections/datasources/new'
  );
  expect(errors).toEqual([]);
  await page.context().close();
}, 60_000);

describe("the extension links' targets", () => {
  it('an alert instance\'s "Recent changes" opens its suspects', async () => {
    const { page, errors } = await session.open(`${PAGE}?probe=1`);
    const startedAt = new Date(session.collector.now - 71 * 60_000).toISOString();
    const path = await page.evaluate(
      (activeAt) =>
        window.harness.links.alertInstance({
          instance: {
            activeAt,
            labels: {
              alertname: 'PaymentsErrorRate',
              service: 'payments',
              env: 'production',
              cluster: 'prod-eu',
              namespace: 'payments',
            },
            annotations: { summary: 'payments answers 5xx to 7% of requests' },
            state: 'Alerting',
            value: "[ var='B' labels={service=payments} value=0.071 ]",
          },
          rule: { name: 'PaymentsErrorRate', query: 'B', labels: {}, annotations: {}, uid: 'payments-5xx' },
        })?.path,
      startedAt
    );
    expect(path).toBe(
      `${PAGE}?service=payments&environment=production&project=prod-eu%2Fpayments&at=${Date.parse(startedAt)}`
    );
    await page.goto(`${session.server.url}${path}`);
    await page.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
    expect(await page.locator(byTestId(TEST_IDS.suspects.item)).first().getAttribute('aria-label')).toBe(
      'Suspect 1: Rollout payments v2.8.0 failed, score 100'
    );
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('a panel menu\'s "Changes in this time range" opens the range with the dashboard\'s service', async () => {
    const { page, errors } = await session.open(`${PAGE}?probe=1`);
    const path = await page.evaluate(
      () =>
        window.harness.links.panel({
          pluginId: 'timeseries',
          id: 2,
          title: 'Error rate',
          timeRange: { from: 'now-3h', to: 'now' },
          timeZone: 'utc',
          dashboard: { uid: 'payments-overview', title: 'Payments', tags: [] },
          targets: [{ refId: 'A' }],
          scopedVars: { service: { text: 'payments', value: 'payments' } },
        })?.path
    );
    expect(path).toMatch(new RegExp(`^${PAGE}\\?service=payments&from=\\d+&to=\\d+$`));
    await page.goto(`${session.server.url}${path}`);
    await page.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
    expect(await page.locator(byTestId(TEST_IDS.app.summary)).innerText()).toContain('Changes in this time range');
    await page.locator(byTestId(TEST_IDS.app.timeline)).locator(byTestId(TEST_IDS.timeline.panel)).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("Explore's toolbar link takes the place its results' labels share", async () => {
    const { page, errors } = await session.open(`${PAGE}?probe=1`);
    const path = await page.evaluate(
      () =>
        window.harness.links.explore({
          exploreId: 'left',
          targets: [{ refId: 'A' }],
          timeRange: { from: 'now-2h', to: 'now' },
          timeZone: 'utc',
          shouldShowAddCorrelation: false,
          data: {
            state: 'Done',
            timeRange: undefined,
            series: [
              {
                length: 1,
                fields: [
                  { name: 'Time', type: 'time', config: {}, values: [Date.now()] },
                  {
                    name: 'Value',
                    type: 'number',
                    config: {},
                    values: [0.07],
                    labels: { job: 'payments', env: 'production' },
                  },
                ],
              },
            ],
          } as never,
        })?.path
    );
    expect(path).toMatch(new RegExp(`^${PAGE}\\?service=payments&environment=production&from=\\d+&to=\\d+$`));
    await page.goto(`${session.server.url}${path}`);
    await page.locator(byTestId(TEST_IDS.suspects.list)).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
