// The timeline panel's options and the event shape it draws.
import type { DataFrame } from '@grafana/data';

export type LaneBy = 'project' | 'service';

export interface TimelineOptions {
  /** One lane per project or per service. */
  laneBy: LaneBy;
  /** Markers closer than this many pixels in one lane become a cluster with a count. */
  clusterDistance: number;
  showLegend: boolean;
}

/** One change read from a data frame row, by field name; `recordOf` gives every field for details. */
export interface TimelineEvent {
  /** Position in the input, a stable key. */
  index: number;
  id: string;
  time: number;
  timeEnd: number | null;
  title: string;
  kind: string;
  status: string | null;
  lane: string;
  url: string | null;
  author: string | null;
  /** Where the row came from: the details drawer reads all its fields (only when opened). */
  frame: DataFrame;
  row: number;
}

/** A moment marked across every lane, e.g. when an alert fired (the Investigate page sets it). */
export interface TimeMark {
  time: number;
  label: string;
}
