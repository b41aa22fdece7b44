// What the connector's integration tests share: the connector on a test context against the fake
// API server, a logger that keeps every line (to search them for secret values), and waiting.
import { Writable } from 'node:stream';
import type { ConnectorLogger } from '@painchain/sdk';
import { createTestContext, type TestContext } from '@painchain/sdk/testkit';
import { pino } from 'pino';
import { createKubernetesConnectorDefinition } from '../src/kubernetes-connector.js';
import type { KubernetesConfig } from '../src/kubernetes-config.js';
import type { FakeKubeApiServer } from './fake-kube-apiserver.js';

/** Reconnect waits in tests: a few milliseconds instead of seconds. */
export const quickSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.min(ms, 20));
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export const definition = createKubernetesConnectorDefinition({ sleep: quickSleep });

/** Every line a pino logger wrote, at debug level and up, as JSON text. */
export function capturingLogger(bindings: Record<string, unknown> = {}): {
  logger: ConnectorLogger;
  lines: string[];
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug', base: bindings }, sink), lines };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Options watching one fake cluster. */
export function clusterOptions(
  fake: FakeKubeApiServer,
  extra: Partial<KubernetesConfig> = {},
  cluster: Record<string, unknown> = {},
): KubernetesConfig {
  return {
    clusters: [
      { name: 'prod', kubeconfigData: fake.kubeconfig(), environment: 'production', ...cluster },
    ],
    ...extra,
  };
}

/** A run of the connector on a test context; `stop()` aborts it and waits until it ended. */
export interface Running {
  test: TestContext<KubernetesConfig>;
  stop(): Promise<void>;
}

export function runConnector(
  options: KubernetesConfig,
  state: Map<string, unknown>,
  logger?: ConnectorLogger,
): Running {
  const test = createTestContext<KubernetesConfig>({ config: options, state, logger });
  const running = definition.create(test.ctx).run();
  return {
    test,
    stop: async () => {
      test.abort();
      await running;
    },
  };
}

/** Resolves once every watch of the run has listed (or resumed) and is streaming. */
export const watching = (fake: FakeKubeApiServer, watches: number) =>
  waitFor(`${watches} open watches`, () => fake.openWatches >= watches);
