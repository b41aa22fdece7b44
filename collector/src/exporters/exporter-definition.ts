// The Exporter interface: what sends committed changes out of the collector (OpenTelemetry, …).
// Mirrors ConnectorDefinition: a type, options described by a schema and checked at load, create().
import type { ChangeEvent, ConfigurableDefinition, ConnectorLogger } from '@painchain/sdk';
import type { Static, TSchema } from 'typebox';

/** The subset of pino's logger an exporter may use (a child logger named after its instance). */
export type ExporterLogger = ConnectorLogger;

export interface ExportContext {
  /**
   * Aborted when the collector gives up on this call (its timeout, or the end of the shutdown
   * grace): stop sending; the hub has already counted the call as failed.
   */
  readonly signal: AbortSignal;
}

/** One running exporter instance. The hub calls it with one batch at a time, never concurrently. */
export interface Exporter {
  /**
   * Sends changes the store has committed (created or updated), all of one tenant. Resolving
   * means they were accepted; a rejection is counted and logged, and the batch is not retried
   * by the collector (an exporter that wants retries does them here, within the timeout).
   */
  export(tenant: string, events: readonly ChangeEvent[], ctx: ExportContext): Promise<void>;
  /** Releases what the exporter holds (connections, its own buffers). Called once, on close. */
  shutdown(): Promise<void>;
}

export interface ExporterContext<O = Record<string, unknown>> {
  /** The instance name from painchain.yaml (`exporters[].name`), also its metrics label. */
  readonly name: string;
  /** Options that passed checkOptions: schema defaults applied, `validate()` clean. */
  readonly options: O;
  readonly logger: ExporterLogger;
}

/** The one description of an exporter type: what the exporter registry lists. */
export interface ExporterDefinition<S extends TSchema = TSchema> extends ConfigurableDefinition<S> {
  /**
   * Builds the instance once, at collector start, with checked options: bad options are
   * reported at load with file and line, so create() does not throw for them. Throwing here
   * leaves the instance out (logged and counted as a failure); ingest goes on.
   */
  create(ctx: ExporterContext<Static<S>>): Exporter;
}
