// The real GitHub payloads of @octokit/webhooks-examples, read from the package's JSON (a plain
// import of it needs JSON import attributes, which Node 20 does not take in this setup).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface WebhookExample {
  event: string;
  index: number;
  payload: Record<string, unknown>;
}

const require = createRequire(import.meta.url);

/** The GitHub events the connector records (ping included: it answers it), in test order. */
export const RECORDED_EVENTS = [
  'push',
  'pull_request',
  'workflow_run',
  'check_suite',
  'deployment',
  'deployment_status',
  'release',
  'create',
  'delete',
  'package',
  'ping',
] as const;

export function webhookExamples(events: readonly string[]): WebhookExample[] {
  const file = require.resolve('@octokit/webhooks-examples/api.github.com/index.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  return events.flatMap((event) => {
    const entry = all.find((candidate) => candidate.name === event);
    if (!entry) throw new Error(`@octokit/webhooks-examples has no ${event} examples`);
    return entry.examples.map((payload, index) => ({ event, index, payload }));
  });
}
