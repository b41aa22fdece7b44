// Ids of new changes: UUIDv7 (RFC 9562), written by the uuid package from a timestamp, a
// monotonic counter and random bytes that we take from a pooled buffer. uuid's own v7() asks
// crypto for 16 random bytes per id, which was 8% of the collector's busy time in batch ingest
// (docs/benchmarks.md, "Round two, closing figures").
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** Ids served by one fill of the random pool. */
const POOL_IDS = 256;
const pool = new Uint8Array(16 * POOL_IDS);
let served = POOL_IDS;
let lastMs = -Infinity;
let seq = 0;

/**
 * A fresh UUIDv7, greater than every id this process made before (as text and as bytes), even
 * within one millisecond or when the clock steps back: the rule of uuid's v7(), a random 31-bit
 * counter start each new millisecond, incremented within it.
 */
export function newChangeId(now: number = Date.now()): string {
  if (served === POOL_IDS) {
    randomFillSync(pool);
    served = 0;
  }
  const random = pool.subarray(16 * served, 16 * (served + 1));
  served += 1;
  if (now > lastMs) {
    seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    lastMs = now;
  } else {
    seq = (seq + 1) | 0;
    // The counter ran over: borrow the next millisecond, as uuid does.
    if (seq === 0) lastMs += 1;
  }
  return v7({ msecs: lastMs, seq, random });
}
