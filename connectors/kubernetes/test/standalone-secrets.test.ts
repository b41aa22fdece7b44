// The connector as a standalone process (runStandalone: supervisor, file state, events POSTed to a
// listening collector), logging at debug level: Secret edits and Helm releases are recorded, and
// no secret value appears in any log line, stored event or state — the "never" checked
// where it could leak.
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CollectorClient, fileState, runStandalone } from '@painchain/sdk/standalone';
import { readEvents, startCollector, STORE_KINDS } from '@painchain/collector/testing';
import { collectorSuite } from './collector-suite.js';
import { helmReleaseSecret, mySecret, SECRET_VALUES } from './kube-fixtures.js';
import { capturingLogger, definition, waitFor } from './kube-test-helpers.js';

// The store is the collector suites' subject; one store is enough here.
const kind = STORE_KINDS.at(-1)!;
const NEW_VALUE = 'rotated-Zx9-k33p-0ut';

const suite = collectorSuite(kind);

test(`standalone on ${kind}: Secret and Helm changes recorded, no secret value in logs, events or state`, async () => {
  const { db, fake } = suite;
  fake.apply(mySecret(), { manager: 'kubectl-client-side-apply' });
  fake.apply(
    helmReleaseSecret({
      revision: 6,
      status: 'superseded',
      deployedAt: new Date(Date.now() - 3_600_000),
    }),
  );
  const t = await startCollector(db, {});
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as AddressInfo).port;
  const stateFile = join(await mkdtemp(join(tmpdir(), 'painchain-k8s-')), 'state.json');
  const { logger, lines } = capturingLogger({ connector: 'k8s-solo' });
  const controller = new AbortController();
  const running = runStandalone({
    definition,
    name: 'k8s-solo',
    options: {
      clusters: [{ name: 'solo', kubeconfigData: fake.kubeconfig() }],
      watch: ['secrets', 'helmreleases'],
    },
    collector: new CollectorClient({ url: `http://127.0.0.1:${port}` }),
    state: fileState(stateFile),
    logger,
    signal: controller.signal,
    heartbeatSeconds: 5,
  });
  const stored = () =>
    readEvents(t.app, { connector: 'kubernetes', project: 'solo/shop' }).then(async (shop) => [
      ...shop,
      ...(await readEvents(t.app, { connector: 'kubernetes', project: 'solo/default' })),
    ]);
  try {
    // Helm's history is recorded on the first start; the ordinary Secret is the baseline.
    await waitFor('the Helm history', async () => (await stored()).length === 1);
    await waitFor('both watches', () => fake.openWatches >= 1);
    const secret = mySecret();
    secret.data = { ...secret.data, password: Buffer.from(NEW_VALUE).toString('base64') };
    fake.apply(secret, { manager: 'kubectl-edit' });
    // A real upgrade is deployed now (the documentation example's own date is years old, beyond
    // the collector's retention window).
    fake.apply(helmReleaseSecret({ revision: 7, status: 'deployed', deployedAt: new Date() }), {
      manager: 'helm',
    });
    const events = await waitFor('the edit and the upgrade', async () => {
      const all = await stored();
      return all.length === 3 ? all : undefined;
    });
    expect(events.map((e) => e.title).sort()).toEqual([
      'Helm upgrade shop/payments: payments-1.4.2 (revision 6)',
      'Helm upgrade shop/payments: payments-1.4.2 (revision 7)',
      'Secret default/mysecret: changed password',
    ]);
  } finally {
    controller.abort();
    await running;
    await t.close();
  }
  const hidden = [...SECRET_VALUES, NEW_VALUE, Buffer.from(NEW_VALUE).toString('base64')];
  const again = await startCollector(db, {});
  const everywhere = {
    logs: lines.join('\n'),
    events: JSON.stringify(await readEvents(again.app, { connector: 'kubernetes' })),
    state: await readFile(stateFile, 'utf8'),
  };
  await again.close();
  // The log says what changed (at debug level), so it is a fair place to look.
  expect(everywhere.logs).toContain('Secret default/mysecret: changed password');
  for (const [where, text] of Object.entries(everywhere)) {
    for (const value of hidden) {
      if (text.includes(value))
        throw new Error(`a secret value (${value.slice(0, 3)}…) is in the ${where}`);
    }
  }
});
