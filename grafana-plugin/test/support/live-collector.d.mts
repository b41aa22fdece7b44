export declare const READ_TOKEN: string;
export declare const INGEST_TOKEN: string;

export interface LiveCollector {
  url: string;
  /** When the sample events were loaded (their times are relative to it). */
  now: number;
  /** The stored event of the sample Grafana alert (firing, 71 minutes before `now`). */
  alertId: string;
  close(): Promise<void>;
}

export declare function alertWebhook(now?: number): Record<string, unknown>;

export declare function startLiveCollector(
  collector: { buildApp: unknown; createConfig: unknown; PGliteDb: unknown },
  now?: number
): Promise<LiveCollector>;
