// Leases on a connector instance's sources (a repository, a project, a cluster), so that the
// collector's replicas sharing one database each poll or watch their own share, and never two of
// them the same source at once. The SDK names the seam; the collector keeps the leases (in
// PostgreSQL) and hands them to each connector run as `ctx.leases`.

/** What one claim round left this holder with. */
export interface LeaseClaim {
  /**
   * The sources this holder has a lease on now (renewed or newly taken), in the order it keeps
   * them: when it holds more than `share`, the ones at the end are the first to give up.
   */
  readonly held: readonly string[];
  /**
   * How many it should keep: the sources divided by the holders taking part (rounded up). The
   * surplus, `held.slice(share)`, is released by the caller once its work on them stopped, so
   * that a replica that joins gets its share.
   */
  readonly share: number;
}

/**
 * One connector instance's leases, as seen by one holder (a collector replica). A lease lasts
 * `ttlMs` unless renewed: a holder that dies loses its leases within that time, and another takes
 * the sources over from the cursors in the connector's state.
 */
export interface SourceLeases {
  /** Who holds the leases taken through this object: the collector's replica id. */
  readonly holder: string;
  /** A lease not renewed for this long is free for another holder. */
  readonly ttlMs: number;
  /** How often held leases are renewed: well within `ttlMs`. */
  readonly renewEveryMs: number;
  /**
   * One round: announces this holder as taking part, renews the leases it holds among `sources`,
   * takes free or expired ones up to its share (skipping rows another holder is taking at this
   * moment) and gives up the ones it held on sources no longer listed.
   */
  claim(sources: readonly string[]): Promise<LeaseClaim>;
  /** Renews these leases; resolves to the ones still held (a lost one was taken by another). */
  renew(sources: readonly string[]): Promise<readonly string[]>;
  /** Gives these leases up at once: another holder may take them without waiting out the TTL. */
  release(sources: readonly string[]): Promise<void>;
  /** Releases every lease of this holder and stops taking part (the run stops). */
  leave(): Promise<void>;
}
