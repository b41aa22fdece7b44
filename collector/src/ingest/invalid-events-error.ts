// The ingest pipeline's refusal of a batch: what is wrong with which event. A domain error, not an
// HTTP one; routes/error-handler.ts answers it as `invalid_event` (400).
import type { Problem } from './normalize.js';

export class InvalidEventsError extends Error {
  override readonly name = 'InvalidEventsError';
  /** Every problem found (capped by the pipeline), each at its JSON pointer in the input. */
  readonly details: readonly Problem[];

  constructor(details: readonly Problem[]) {
    const count = details.length === 1 ? '1 problem' : `${details.length} problems`;
    super(`invalid events (${count}): ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    this.details = details;
  }
}
