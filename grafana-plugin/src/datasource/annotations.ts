// Annotation support: one annotation query overlays changes on any graph. Durations become
// regions; the text carries the status, the author and a link back to the source.
import type { AnnotationEvent, AnnotationQuery, AnnotationSupport, DataFrame, GrafanaTheme2 } from '@grafana/data';
import { of } from 'rxjs';
import { httpLink } from '../shared/http-link';
import { kindColor } from '../shared/kind-colors';
import type { ChangesQuery } from './types/query';

export const ANNOTATION_REF_ID = 'Anno';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Row = Record<string, unknown>;

function rows(frame: DataFrame): Row[] {
  return Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]]))
  );
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The annotation tooltip's body (sanitized HTML in Grafana): status, author, description, link. */
export function annotationText(row: Row): string {
  const facts = [str(row.kind), str(row.status), str(row.author) ? `by ${str(row.author)}` : undefined]
    .filter((v): v is string => v !== undefined)
    .map(escapeHtml)
    .join(' · ');
  const where = [str(row.project), str(row.service), str(row.environment)]
    .filter((v): v is string => v !== undefined)
    .map(escapeHtml)
    .join(' / ');
  const url = httpLink(row.url);
  const link = url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">Open in source</a>` : '';
  return [facts, where, link].filter(Boolean).join('<br>');
}

/** Frames of change events → annotation events (regions when the change has an end). */
export function framesToAnnotations(frames: DataFrame[], theme?: GrafanaTheme2): AnnotationEvent[] {
  return frames.flatMap(rows).flatMap((row): AnnotationEvent[] => {
    const time = typeof row.time === 'number' ? row.time : undefined;
    if (time === undefined) {
      return [];
    }
    const timeEnd = typeof row.timeEnd === 'number' && row.timeEnd > time ? row.timeEnd : undefined;
    const tags = str(row.tags)?.split(',').filter(Boolean) ?? [];
    return [
      {
        id: str(row.id),
        time,
        timeEnd: timeEnd ?? time,
        isRegion: timeEnd !== undefined,
        title: str(row.title),
        text: annotationText(row),
        tags,
        color: theme ? kindColor(theme, str(row.kind)) : undefined,
      },
    ];
  });
}

export function changesAnnotationSupport(theme: () => GrafanaTheme2 | undefined): AnnotationSupport<ChangesQuery> {
  return {
    // A saved annotation without a query (new, or from an older version) gets an empty one.
    prepareAnnotation(json: AnnotationQuery<ChangesQuery>): AnnotationQuery<ChangesQuery> {
      return { ...json, target: { ...json.target, refId: json.target?.refId ?? ANNOTATION_REF_ID } };
    },
    prepareQuery(anno: AnnotationQuery<ChangesQuery>): ChangesQuery | undefined {
      return anno.target ? { ...anno.target, refId: anno.target.refId || ANNOTATION_REF_ID } : undefined;
    },
    processEvents(_anno, frames) {
      return of(framesToAnnotations(frames, theme()));
    },
  };
}
