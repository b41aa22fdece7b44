// The chain of a change: every change connected to it through shared correlation keys (commit,
// pull request, pipeline, image, digest, tag), found level by level from indexed lookups, each
// link labelled with the key that joined it. A 7-character commit key is only a candidate: two
// changes are linked by a commit only when their full SHAs agree.
import type { ChangeEvent } from '@painchain/sdk';
import type { LinkAsk, LinkedChange, LinkStore } from '../store/link-store.js';

/** The key families of migration 003, by their prefix in `links`. */
export const LINK_KEYS = {
  c: 'commit',
  i: 'image',
  d: 'digest',
  pr: 'pullRequest',
  p: 'pipeline',
  t: 'tag',
} as const;
export type LinkKey = (typeof LINK_KEYS)[keyof typeof LINK_KEYS];

export interface ChainLink {
  /** The earlier change. */
  from: string;
  to: string;
  key: LinkKey;
  value: string;
}

export interface Chain {
  /** The change asked about. */
  root: ChangeEvent;
  /** Every change in the chain, the root included, oldest first. */
  events: ChangeEvent[];
  links: ChainLink[];
  horizon: { from: string; to: string };
  /** True when the chain had more changes than `maxEvents`: the rest is left out. */
  truncated: boolean;
  maxEvents: number;
}

export interface ChainOptions {
  horizonMs: number;
  maxEvents: number;
}

/** Ref keys that name a commit, as the migration's painchain_links() reads them. */
const COMMIT_REFS = ['commit', 'headSha', 'mergeCommitSha', 'baseSha', 'sha'] as const;
const HEX_COMMIT = /^[0-9a-f]{7,64}$/i;
const IMAGE_TAG_HEX = /(?:^|[^0-9A-Za-z])([0-9a-fA-F]{7,40})(?=$|[^0-9A-Za-z])/g;

/** The full commit SHAs (or the prefixes a CI sent) a change names. */
export function commitValues(event: ChangeEvent): string[] {
  const refs = event.refs as Record<string, unknown>;
  const values: string[] = [];
  for (const key of COMMIT_REFS) {
    const value = refs[key];
    if (typeof value === 'string') values.push(value);
  }
  if (Array.isArray(refs.commits)) {
    for (const value of refs.commits) if (typeof value === 'string') values.push(value);
  }
  const image = typeof refs.image === 'string' ? refs.image : '';
  const tag = /:([^:@/]+)(?:@|$)/.exec(image)?.[1] ?? '';
  for (const match of tag.matchAll(IMAGE_TAG_HEX)) {
    if (/[a-f]/i.test(match[1]!)) values.push(match[1]!);
  }
  return values.filter((value) => HEX_COMMIT.test(value)).map((value) => value.toLowerCase());
}

/** The longer of two commit ids that agree (one is the other's prefix), else undefined. */
function agreeingCommit(a: ChangeEvent, b: ChangeEvent, prefix: string): string | undefined {
  const left = commitValues(a).filter((value) => value.startsWith(prefix));
  const right = commitValues(b).filter((value) => value.startsWith(prefix));
  for (const x of left) {
    for (const y of right) {
      if (x.startsWith(y) || y.startsWith(x)) return x.length >= y.length ? x : y;
    }
  }
  return undefined;
}

/** The key family and value of a `links` entry: `c:9fceb02` → commit, 9fceb02. */
function parseKey(link: string): { key: LinkKey; value: string } | undefined {
  const colon = link.indexOf(':');
  const family = LINK_KEYS[link.slice(0, colon) as keyof typeof LINK_KEYS];
  if (!family) return undefined;
  let value = link.slice(colon + 1);
  // pr:, p: and t: carry the project; a person reads the number or the tag.
  if (family === 'pullRequest' || family === 'pipeline')
    value = value.slice(value.lastIndexOf('#') + 1);
  if (family === 'tag') value = value.slice(value.indexOf('@') + 1);
  return { key: family, value };
}

/** A change to start a chain from, known before it is read whole: its id, time and keys. */
export interface ChainSeed {
  id: string;
  timestamp: string;
  links: readonly string[];
}

export class ChainFinder {
  constructor(
    private readonly links: LinkStore,
    private readonly options: ChainOptions,
  ) {}

  /** The chain of change `id`, or undefined when the tenant has no such change. */
  async chainOf(
    tenant: string,
    id: string,
    maxEvents = this.options.maxEvents,
  ): Promise<Chain | undefined> {
    const root = await this.links.get(tenant, id);
    if (!root) return undefined;
    const walk = new ChainWalk(
      { id, timestamp: root.event.timestamp, links: root.links },
      this.options.horizonMs,
      maxEvents,
    );
    walk.root(root);
    await this.grow(tenant, [walk], maxEvents);
    return walk.chain();
  }

  /**
   * The chains of several changes whose keys are known, built side by side: their rows are read
   * with the first level of their chains, and so are the changes of `alsoRead` (the ranking's
   * best), in one statement; then one statement per level for all of them. Each chain comes out
   * as chainOf builds it alone; undefined for a change the tenant no longer has. `read`: every
   * change read by id.
   */
  async chainsFrom(
    tenant: string,
    seeds: readonly ChainSeed[],
    maxEvents = this.options.maxEvents,
    alsoRead: readonly string[] = [],
  ): Promise<{ chains: (Chain | undefined)[]; read: ReadonlyMap<string, LinkedChange> }> {
    const walks = seeds.map((seed) => new ChainWalk(seed, this.options.horizonMs, maxEvents));
    const ids = [...new Set([...seeds.map((seed) => seed.id), ...alsoRead])];
    const first = walks.filter((walk) => walk.goesOn());
    // One more than the cap tells whether the chain goes on beyond it.
    const { linked, read } = await this.links.linkedEach(
      tenant,
      first.map((walk) => walk.ask()),
      maxEvents + 1,
      ids,
    );
    const byId = new Map(read.map((change) => [change.event.id, change]));
    const rooted = new Set(
      walks.filter((walk) => {
        const root = byId.get(walk.id);
        if (root) walk.root(root);
        return root !== undefined;
      }),
    );
    first.forEach((walk, i) => {
      if (rooted.has(walk)) walk.take(linked[i]!);
    });
    await this.grow(tenant, [...rooted], maxEvents);
    return {
      chains: walks.map((walk) => (rooted.has(walk) ? walk.chain() : undefined)),
      read: byId,
    };
  }

  /** The next levels of rooted chains, one statement per level for all of them. */
  private async grow(tenant: string, walks: readonly ChainWalk[], maxEvents: number) {
    for (;;) {
      const active = walks.filter((walk) => walk.goesOn());
      if (active.length === 0) return;
      const asks = active.map((walk) => walk.ask());
      // One more than the cap tells whether the chain goes on beyond it.
      const found =
        asks.length === 1
          ? [
              await this.links.linked(
                tenant,
                asks[0]!.keys,
                asks[0]!.from,
                asks[0]!.to,
                maxEvents + 1,
              ),
            ]
          : (await this.links.linkedEach(tenant, asks, maxEvents + 1)).linked;
      active.forEach((walk, i) => walk.take(found[i]!));
    }
  }
}

/** One chain, built level by level from its root: the changes sharing the keys found so far. */
class ChainWalk {
  private readonly members = new Map<string, LinkedChange>();
  /** Which members carry each key: where a newcomer can attach. */
  private readonly owners = new Map<string, string[]>();
  private readonly links: ChainLink[] = [];
  private readonly asked = new Set<string>();
  private frontier: string[];
  private truncated = false;
  private readonly from: Date;
  private readonly to: Date;
  readonly id: string;
  private rootChange: LinkedChange | undefined;

  constructor(
    seed: ChainSeed,
    horizonMs: number,
    private readonly maxEvents: number,
  ) {
    const at = Date.parse(seed.timestamp);
    this.id = seed.id;
    this.from = new Date(at - horizonMs);
    this.to = new Date(at + horizonMs);
    this.frontier = [...seed.links];
  }

  /** The root read whole: the first member, before anything found is attached. */
  root(change: LinkedChange): void {
    this.rootChange = change;
    this.members.set(change.event.id, change);
    this.own(change);
  }

  private full(): boolean {
    // Before it is read, the root counts already: the chain it starts holds it.
    return (this.rootChange ? this.members.size : 1) >= this.maxEvents;
  }

  private own(change: LinkedChange): void {
    for (const key of change.links)
      this.owners.set(key, [...(this.owners.get(key) ?? []), change.event.id]);
  }

  /** Are there keys left to look for, and room for what they find? */
  goesOn(): boolean {
    return this.frontier.length > 0 && !this.full();
  }

  /** The next level's lookup. */
  ask(): LinkAsk {
    for (const key of this.frontier) this.asked.add(key);
    return { keys: this.frontier, from: this.from, to: this.to };
  }

  /** Attaches what the lookup found (oldest first, at most maxEvents + 1); the next frontier. */
  take(found: readonly LinkedChange[]): void {
    const { members, maxEvents } = this;
    const next = new Set<string>();
    // Certain links first (a shared image, pipeline, or the same full SHA), then the ones made
    // by a short SHA alone, which must not contradict a full SHA the chain already knows.
    for (const certainOnly of [true, false]) {
      for (const change of found) {
        if (members.has(change.event.id)) continue;
        const link = attach(change, members, this.owners, certainOnly);
        if (!link) continue;
        if (this.full()) {
          this.truncated = true;
          break;
        }
        members.set(change.event.id, change);
        this.links.push(link);
        this.own(change);
        for (const key of change.links) if (!this.asked.has(key)) next.add(key);
      }
    }
    // A level that filled the query's limit may have more behind it.
    if (found.length > maxEvents && this.full()) this.truncated = true;
    this.frontier = [...next];
  }

  chain(): Chain {
    const events = [...this.members.values()]
      .map((change) => change.event)
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.id.localeCompare(b.id));
    return {
      root: this.rootChange!.event,
      events,
      links: this.links,
      horizon: { from: this.from.toISOString(), to: this.to.toISOString() },
      truncated: this.truncated,
      maxEvents: this.maxEvents,
    };
  }
}

/**
 * The link joining a found change to a member, oriented earlier → later; none for a false
 * match, or (with `certainOnly`) for a match on a short SHA alone.
 */
function attach(
  change: LinkedChange,
  members: ReadonlyMap<string, LinkedChange>,
  owners: ReadonlyMap<string, string[]>,
  certainOnly: boolean,
): ChainLink | undefined {
  for (const key of change.links) {
    const parsed = parseKey(key);
    if (!parsed) continue;
    for (const ownerId of owners.get(key) ?? []) {
      const owner = members.get(ownerId)!.event;
      let value = parsed.value;
      if (parsed.key === 'commit') {
        const agreed = agreeingCommit(owner, change.event, parsed.value);
        if (agreed === undefined) continue;
        const certain = fullShas(owner).includes(agreed) && fullShas(change.event).includes(agreed);
        if (certainOnly && !certain) continue;
        if (!certain && contradicts(change.event, parsed.value, members)) continue;
        value = agreed;
      }
      const [earlier, later] =
        owner.timestamp <= change.event.timestamp ? [owner, change.event] : [change.event, owner];
      return { from: earlier.id, to: later.id, key: parsed.key, value };
    }
  }
  return undefined;
}

const fullShas = (event: ChangeEvent) => commitValues(event).filter((value) => value.length >= 40);

/**
 * Does the change name full SHAs with this prefix, none of which the chain knows, while the
 * chain knows another one? Then a short SHA matched two different commits: not the same change.
 */
function contradicts(
  change: ChangeEvent,
  prefix: string,
  members: ReadonlyMap<string, LinkedChange>,
): boolean {
  const own = fullShas(change).filter((sha) => sha.startsWith(prefix));
  if (own.length === 0) return false;
  const known = new Set(
    [...members.values()].flatMap((member) =>
      fullShas(member.event).filter((sha) => sha.startsWith(prefix)),
    ),
  );
  return known.size > 0 && !own.some((sha) => known.has(sha));
}
