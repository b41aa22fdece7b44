// Ingresses, Services, HPAs, CronJobs, PodDisruptionBudgets, NetworkPolicies and custom resources
// of kind config: a change of spec, labels or meaningful annotations is a config event with the
// field diff (`path: old → new`); status, managed fields and churning annotations are not changes.
import { changeEvent } from '@painchain/sdk';
import { lastWrite } from '../kube-object.js';
import {
  deletionEvent,
  eventBasics,
  type ChangeContext,
  type ChangeDetector,
} from './change-detector.js';
import {
  diffFields,
  flatten,
  formatChanges,
  meaningfulMetadata,
  type FlatFields,
} from './field-diff.js';

export interface SpecRecord {
  kind: string;
  namespace: string;
  name: string;
  service?: string;
  fields: FlatFields;
}

export function specDetector(kind: string, ctx: ChangeContext): ChangeDetector<SpecRecord> {
  return {
    observe(previous, object, baseline) {
      const watched = {
        metadata: meaningfulMetadata(object.metadata, ctx.ignoreAnnotations),
        spec: object.spec,
      };
      const basics = eventBasics(ctx, object);
      const record: SpecRecord = {
        kind,
        namespace: object.metadata?.namespace ?? '',
        name: object.metadata?.name ?? '',
        service: basics.service,
        fields: flatten(watched),
      };
      if (!previous && baseline) return { record, events: [] };
      const changes = diffFields(previous?.fields ?? {}, record.fields);
      if (previous && changes.length === 0) return { record, events: [] };
      const { lines, more } = formatChanges(changes, ctx.maxValueLength);
      const label = `${kind} ${record.namespace ? `${record.namespace}/` : ''}${record.name}`;
      const written = lastWrite(object);
      const at = written?.at ?? ctx.now().toISOString();
      const summary = lines[0]
        ? `${lines[0]}${lines.length + more > 1 ? ` (+${lines.length + more - 1} more)` : ''}`
        : '';
      const event = changeEvent({
        ...basics,
        externalId: `${ctx.cluster}/${object.metadata?.uid ?? ''}/spec/${object.metadata?.resourceVersion ?? ''}`,
        kind: 'config',
        title: previous ? `${label}: ${summary}` : `${label} created`,
        timestamp: previous ? at : (object.metadata?.creationTimestamp ?? at),
        updatedAt: at,
        author: written?.manager,
        data: {
          cluster: ctx.cluster,
          namespace: record.namespace,
          object: `${kind}/${record.name}`,
          changes: lines,
          moreChanges: more || undefined,
          created: previous ? undefined : true,
        },
      });
      return { record, events: [event] };
    },
    removed(previous, uid, object) {
      return [deletionEvent(ctx, { ...previous, uid }, object)];
    },
  };
}
