// Realistic change events, deterministic per seed: the benchmark's load (the same seed gives the
// same events, so the HTTP ingest and the raw INSERT store the same rows) and `npm run demo`'s week.
import type { ChangeEventInput, ChangeKind, ChangeStatus } from '@painchain/sdk';

/**
 * Changes come in journeys, as in a real repository: a commit is pushed, merged through a pull
 * request, built by pipelines, tagged and rolled out, and each of those changes names the commit
 * (and the pull request, pipeline, tag or image it shares with the others). The events numbered
 * in one block of JOURNEY_BLOCK belong to JOURNEYS_PER_BLOCK journeys of skewed sizes (squared
 * uniform): a few dozen changes for the busiest, two or three for the smallest. The SQL fill of
 * the store (bench-database.ts) groups its rows the same way.
 */
export const JOURNEY_BLOCK = 256;
export const JOURNEYS_PER_BLOCK = 32;
/** A journey's changes happen within this long: a commit reaches production the same day. */
const JOURNEY_SPAN_MS = 6 * 3_600_000;
/**
 * A run that ended before `now` has its final status in the store (its end updated the stored
 * start in place, as connectors do), except this share whose end never came (a crashed runner, a
 * lost webhook): they stay `started` or `in_progress`, as in a real store.
 */
export const ABANDONED_RUN_SHARE = 0.02;
/** Kinds that are no step of a journey: they name no commit, and a service of their own. */
export const UNLINKED_KINDS: readonly ChangeKind[] = ['alert', 'incident', 'feature_flag'];
export const IN_FLIGHT_STATUSES: readonly ChangeStatus[] = ['started', 'in_progress'];

const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const REPOS = [
  'api',
  'web',
  'billing',
  'payments',
  'auth',
  'search',
  'notifications',
  'infra',
  'mobile',
  'data-pipeline',
];
/** ~50 projects: org/repo. */
export const PROJECTS: readonly string[] = ORGS.flatMap((o) => REPOS.map((r) => `${o}/${r}`));

/** ~30 services. */
export const SERVICES: readonly string[] = [
  'api-gateway',
  'checkout',
  'cart',
  'catalog',
  'payments',
  'ledger',
  'invoicing',
  'auth',
  'sessions',
  'users',
  'search',
  'indexer',
  'recommendations',
  'notifications',
  'email-sender',
  'sms-sender',
  'webhooks',
  'scheduler',
  'reporting',
  'analytics',
  'etl',
  'feature-store',
  'media',
  'thumbnails',
  'cdn-purger',
  'admin',
  'audit',
  'billing-worker',
  'geo',
  'pricing',
];

/** Three environments, weighted as a typical team deploys: most changes reach production last. */
export const ENVIRONMENTS: readonly string[] = ['production', 'staging', 'dev'];
const ENV_WEIGHTS = [0.4, 0.35, 0.25];

/** Which kinds each source system produces. */
export const SOURCES: readonly { connector: string; kinds: readonly ChangeKind[] }[] = [
  { connector: 'github', kinds: ['push', 'merge', 'pull_request', 'release', 'tag'] },
  { connector: 'gitlab', kinds: ['push', 'merge', 'pipeline'] },
  { connector: 'kubernetes', kinds: ['deploy', 'scale', 'config', 'rollback'] },
  { connector: 'argocd', kinds: ['deploy', 'rollback'] },
  { connector: 'ci', kinds: ['pipeline', 'deploy'] },
  { connector: 'terraform', kinds: ['infra'] },
  { connector: 'launchdarkly', kinds: ['feature_flag'] },
  { connector: 'pagerduty', kinds: ['incident', 'alert'] },
];

export const STATUSES: readonly ChangeStatus[] = [
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'in_progress',
  'started',
  'cancelled',
];
export const TEAMS = ['core', 'growth', 'platform', 'payments', 'search', 'mobile', 'data', 'sre'];
export const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];
export const AUTHORS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
  'peggy',
  'trent',
  'victor',
  'walter',
  'renovate[bot]',
  'dependabot[bot]',
];
export const SUBJECTS = [
  'fix flaky retry in payment capture',
  'bump pg from 8.11 to 8.13',
  'add index on orders.created_at',
  'remove legacy v1 endpoints',
  'raise memory limit to 512Mi',
  'feature flag for new checkout flow',
  'log request ids on 5xx',
  'tighten CSP for admin pages',
  'migrate cron jobs to the scheduler',
  'cache catalog lookups for 60s',
  'handle empty cart on reorder',
  'rotate webhook signing secret',
  'speed up search reindex',
  'upgrade node to 20.19',
  'trim unused dependencies',
  'split invoice worker queue',
];
const FLAGS = ['new-checkout', 'fast-search', 'dark-mode', 'eu-pricing', 'v2-onboarding'];

/** mulberry32: small, fast, and good enough to spread sample data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `chars` hex digits drawn from `rand`. */
function hex(rand: () => number, chars: number): string {
  let s = '';
  while (s.length < chars)
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, chars);
}

/** A generator of its own for each (seed, n): the same values whatever order events are made in. */
const streamOf = (seed: number, n: number) => prng(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ n);

/** What every change of one journey shares. */
interface Journey {
  sha: string;
  project: string;
  /** The service its code runs in (alerts and flags name theirs; they are not part of it). */
  service: string;
  pullRequest: number;
  /** The build pipeline and the deploy pipeline. */
  pipelines: readonly [number, number];
  version: string;
  /** When its first change happened. */
  start: number;
  /** The digest of the image built from the commit. */
  digest: string;
}

export class EventGenerator {
  readonly #rand: () => number;

  /**
   * @param seed same seed, same events
   * @param now the newest timestamp; events spread over `spanMs` before it
   * @param firstJourney journeys are numbered from here; pull requests and pipelines take their
   *   numbers from them, so generators given apart ranges share none by chance
   */
  constructor(
    private readonly seed: number,
    private readonly now: number,
    private readonly spanMs: number,
    private readonly firstJourney = 1,
  ) {
    this.#rand = prng(seed);
  }

  /** The journey event `seq` belongs to: one of its block's, the first ones busier. */
  #journeyOf(seq: number): Journey {
    const u = streamOf(this.seed, seq)();
    const n =
      this.firstJourney +
      Math.floor(seq / JOURNEY_BLOCK) * JOURNEYS_PER_BLOCK +
      Math.floor(u * u * JOURNEYS_PER_BLOCK);
    const rand = streamOf(this.seed ^ 0x3c6ef372, n);
    const r = rand();
    const rs = rand();
    return {
      sha: hex(rand, 40),
      project: PROJECTS[Math.floor(r * r * PROJECTS.length)]!,
      service: SERVICES[Math.floor(rs * rs * SERVICES.length)]!,
      pullRequest: n,
      pipelines: [100_000 + 2 * n, 100_001 + 2 * n],
      // One release per journey, so that a tag names one commit (as in a real repository).
      version: `v${Math.floor(n / 10_000)}.${Math.floor(n / 100) % 100}.${n % 100}`,
      // Early enough that its last change is still within the span.
      start:
        this.now -
        Math.floor(rand() * Math.max(0, this.spanMs - JOURNEY_SPAN_MS)) -
        JOURNEY_SPAN_MS,
      digest: hex(rand, 64),
    };
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#rand() * items.length)]!;
  }

  /** Busy projects and services get most of the changes (squared uniform: a long tail). */
  #skewed<T>(items: readonly T[]): T {
    const r = this.#rand();
    return items[Math.floor(r * r * items.length)]!;
  }

  #weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let r = this.#rand();
    for (let i = 0; i < items.length; i++) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /**
   * Event number `seq` (unique per generator use): an externalId derived from it when
   * `withExternalId`, else none, as a CI step's curl would send it.
   */
  event(seq: number, withExternalId = true): ChangeEventInput {
    const journey = this.#journeyOf(seq);
    const { connector, kinds } = this.#pick(SOURCES);
    const kind = this.#pick(kinds);
    const { project, sha, version, pullRequest: pr } = journey;
    const service = UNLINKED_KINDS.includes(kind) ? this.#skewed(SERVICES) : journey.service;
    const environment = this.#weighted(ENVIRONMENTS, ENV_WEIGHTS);
    const author = this.#pick(AUTHORS);
    // Builds run in the first pipeline, rollouts in the second.
    const pipeline = journey.pipelines[kind === 'pipeline' ? 0 : 1];
    const subject = this.#pick(SUBJECTS);
    const start = journey.start + Math.floor(this.#rand() * JOURNEY_SPAN_MS);
    const durationMs = 5_000 + Math.floor(this.#rand() * 600_000);
    const end = Math.min(start + durationMs, this.now);
    const drawn = kind === 'push' || kind === 'tag' ? undefined : this.#pick(STATUSES);
    const settled =
      drawn !== undefined &&
      IN_FLIGHT_STATUSES.includes(drawn) &&
      start + durationMs <= this.now &&
      this.#rand() >= ABANDONED_RUN_SHARE;
    const status = settled ? 'succeeded' : drawn;

    const base = {
      connector,
      kind,
      project,
      author,
      timestamp: new Date(start).toISOString(),
      tags: [`team:${this.#pick(TEAMS)}`, `region:${this.#pick(REGIONS)}`],
    };
    const titled = (
      title: string,
      refs: ChangeEventInput['refs'],
      extra: Partial<ChangeEventInput> = {},
    ): ChangeEventInput => ({
      ...base,
      ...(withExternalId ? { externalId: `${connector}-${kind}-${seq}` } : {}),
      ...(status ? { status } : {}),
      title,
      refs,
      data: {
        durationMs,
        attempt: 1 + Math.floor(this.#rand() * 2),
        runner: `runner-${hex(this.#rand, 4)}`,
      },
      ...extra,
    });
    const url = `https://${connector === 'gitlab' ? 'gitlab.com' : 'github.com'}/${project}`;

    switch (kind) {
      case 'push':
        return titled(
          `${author} pushed 3 commits to main: ${subject}`,
          { commit: sha, branch: 'main' },
          { url: `${url}/commit/${sha}` },
        );
      case 'merge':
      case 'pull_request':
        return titled(
          `Merge pull request #${pr}: ${subject}`,
          { commit: sha, branch: `feature/${subject.split(' ')[0]}-${pr}`, pullRequest: pr },
          { url: `${url}/pull/${pr}`, service },
        );
      case 'release':
      case 'tag':
        return titled(
          `Release ${version} of ${project}`,
          { commit: sha, tag: version, version },
          { url: `${url}/releases/tag/${version}` },
        );
      case 'pipeline':
        return titled(
          `Pipeline #${pipeline} on main ${status ?? 'finished'}: ${subject}`,
          { commit: sha, branch: 'main', pipeline },
          {
            url: `${url}/actions/runs/${pipeline}`,
            service,
            environment,
            endTimestamp: new Date(end).toISOString(),
          },
        );
      case 'deploy':
      case 'rollback':
        return titled(
          `${kind === 'deploy' ? 'Deploy' : 'Roll back'} ${service} ${version} to ${environment}`,
          {
            commit: sha,
            image: `registry.example.com/${service}@sha256:${journey.digest}`,
            version,
            pipeline,
          },
          {
            service,
            environment,
            endTimestamp: new Date(end).toISOString(),
            description: `Triggered by ${author}. Image built from ${sha.slice(0, 7)}.`,
          },
        );
      case 'scale':
        return titled(
          `Scale ${service} in ${environment} from 3 to ${4 + Math.floor(this.#rand() * 8)} replicas`,
          { commit: sha },
          { service, environment },
        );
      case 'config':
        return titled(
          `Update ConfigMap ${service}-config in ${environment}`,
          { commit: sha },
          { service, environment },
        );
      case 'infra':
        return titled(
          `terraform apply: 2 to add, 1 to change, 0 to destroy (${environment})`,
          { commit: sha, branch: 'main' },
          { environment },
        );
      case 'feature_flag':
        return titled(
          `Flag ${this.#pick(FLAGS)} turned on for 25% in ${environment}`,
          {},
          { service, environment },
        );
      default:
        return titled(
          `${kind === 'incident' ? 'Incident' : 'Alert'}: ${service} error rate above 5% in ${environment}`,
          {},
          { service, environment },
        );
    }
  }

  /** `count` events numbered from `firstSeq`. */
  batch(firstSeq: number, count: number, withExternalId = true): ChangeEventInput[] {
    return Array.from({ length: count }, (_, i) => this.event(firstSeq + i, withExternalId));
  }
}
