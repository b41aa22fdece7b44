export declare const READ_TOKEN: string;

export interface LiveCollector {
  url: string;
  /** When the sample events were loaded (their times are relative to it). */
  now: number;
  close(): Promise<void>;
}

export declare function startLiveCollector(
  collector: { buildApp: unknown; createConfig: unknown; PGliteDb: unknown },
  now?: number
): Promise<LiveCollector>;
