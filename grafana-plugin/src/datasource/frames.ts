// Change events as one data frame: the field names Grafana's annotation mapping and tables
// expect (time, timeEnd, title, text, tags, id), plus every filterable attribute.
import { createDataFrame, FieldType, type DataFrame, type QueryResultMetaNotice } from '@grafana/data';
import { httpLink } from '../shared/http-link';
import { INVESTIGATE_DATA_LINK } from '../shared/investigate-url';
import type { ChangeEvent } from './types/api';

export const FRAME_NAME = 'changes';
/** A hidden field: the event's url when it may be a link (http or https), else empty. */
export const SOURCE_LINK = 'sourceLink';

export interface FrameInput {
  refId: string;
  events: ChangeEvent[];
  /** The cap the query ran with, and whether more events matched. */
  cap: number;
  truncated: boolean;
  /** The datasource that answered: the panel's drawer and the data links ask it for chains. */
  datasourceUid?: string;
}

const ms = (iso: string | null): number | null => (iso ? Date.parse(iso) : null);

/** One line a person reads under the title: "deploy · succeeded · by alice", then the description. */
export function eventText(e: ChangeEvent): string {
  const facts = [e.kind, e.status, e.author ? `by ${e.author}` : null].filter(Boolean).join(' · ');
  return e.description ? `${facts}\n\n${e.description}` : facts;
}

export function truncationNotice(cap: number): QueryResultMetaNotice {
  return {
    severity: 'warning',
    text: `Showing the newest ${cap.toLocaleString('en-US')} changes: more match this query. Narrow the filters or the time range, or raise "Max events".`,
  };
}

/** Data links on the title (tables, Explore): the page that ranks what may explain a change's moment. */
export function investigateLink(datasourceUid: string | undefined) {
  return {
    title: 'Investigate',
    url: datasourceUid
      ? `${INVESTIGATE_DATA_LINK}&datasource=${encodeURIComponent(datasourceUid)}`
      : INVESTIGATE_DATA_LINK,
  };
}

export function eventsToFrame({ refId, events, cap, truncated, datasourceUid }: FrameInput): DataFrame {
  const column = <T>(pick: (e: ChangeEvent) => T): T[] => events.map(pick);
  return createDataFrame({
    refId,
    name: FRAME_NAME,
    meta: {
      preferredVisualisationType: 'table',
      notices: truncated ? [truncationNotice(cap)] : [],
      custom: { truncated, cap, datasourceUid },
    },
    fields: [
      { name: 'time', type: FieldType.time, values: column((e) => Date.parse(e.timestamp)) },
      { name: 'timeEnd', type: FieldType.time, values: column((e) => ms(e.endTimestamp)) },
      {
        name: 'title',
        type: FieldType.string,
        values: column((e) => e.title),
        config: { links: [investigateLink(datasourceUid)] },
      },
      { name: 'text', type: FieldType.string, values: column(eventText) },
      // Comma-joined: what Grafana's annotation field mapping splits into tags.
      { name: 'tags', type: FieldType.string, values: column((e) => e.tags.join(',')) },
      { name: 'id', type: FieldType.string, values: column((e) => e.id) },
      { name: 'kind', type: FieldType.string, values: column((e) => e.kind) },
      { name: 'status', type: FieldType.string, values: column((e) => e.status) },
      { name: 'connector', type: FieldType.string, values: column((e) => e.connector) },
      { name: 'project', type: FieldType.string, values: column((e) => e.project) },
      { name: 'service', type: FieldType.string, values: column((e) => e.service) },
      { name: 'environment', type: FieldType.string, values: column((e) => e.environment) },
      { name: 'author', type: FieldType.string, values: column((e) => e.author) },
      {
        name: 'url',
        type: FieldType.string,
        values: column((e) => e.url),
        // The link goes to the http(s) URL only: any other url (javascript:, a relative path) is
        // shown as the text it is. Grafana drops a data link whose URL comes out empty.
        config: {
          links: [{ title: 'Open in source', url: `\${__data.fields.${SOURCE_LINK}}`, targetBlank: true }],
        },
      },
      { name: 'refs', type: FieldType.other, values: column((e) => e.refs) },
      { name: 'data', type: FieldType.other, values: column((e) => e.data) },
      {
        name: SOURCE_LINK,
        type: FieldType.string,
        values: column((e) => httpLink(e.url) ?? null),
        config: { custom: { hideFrom: { viz: true, legend: true, tooltip: true } } },
      },
    ],
  });
}
