// ConfigMaps: a data change is a config event naming the keys added, removed and changed; values
// (cut short) only when the options say so, since ConfigMaps often hold more than they should.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Wire } from '../kube-object.js';
import {
  deletionEvent,
  eventBasics,
  type ChangeContext,
  type ChangeDetector,
} from './change-detector.js';
import { sha256 } from './fingerprint.js';
import { diffKeys, isEmptyDiff, keyChangeEvent } from './key-changes.js';

export interface ConfigMapContext extends ChangeContext {
  readonly showConfigMapValues: boolean;
}

export interface ConfigMapRecord {
  namespace: string;
  name: string;
  service?: string;
  /** Digest per key (data and binaryData). */
  keys: Record<string, string>;
  /** Cut values per key, kept only when values are shown. */
  values?: Record<string, string>;
}

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

export function configMapDetector(ctx: ConfigMapContext): ChangeDetector<ConfigMapRecord> {
  return {
    observe(previous, object, baseline) {
      const configMap = object as unknown as Wire<V1ConfigMap>;
      const entries = {
        ...(configMap.data ?? {}),
        // Binary values are base64 text on the wire: compared, never shown.
        ...Object.fromEntries(
          Object.entries(configMap.binaryData ?? {}).map(([key, value]) => [
            key,
            `binary:${sha256(value)}`,
          ]),
        ),
      };
      const keys = Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [key, sha256(value)]),
      );
      const values = ctx.showConfigMapValues
        ? Object.fromEntries(
            Object.entries(configMap.data ?? {}).map(([key, value]) => [
              key,
              cut(value, ctx.maxValueLength),
            ]),
          )
        : undefined;
      const record: ConfigMapRecord = {
        namespace: configMap.metadata?.namespace ?? '',
        name: configMap.metadata?.name ?? '',
        service: eventBasics(ctx, object).service,
        keys,
        values,
      };
      if (!previous && baseline) return { record, events: [] };
      const diff = diffKeys(previous?.keys ?? {}, keys);
      if (previous && isEmptyDiff(diff)) return { record, events: [] };
      const shown =
        values &&
        [...diff.added, ...diff.changed]
          .filter((key) => key in values)
          .map((key) => ({ key, from: previous?.values?.[key], to: values[key] }));
      const event = keyChangeEvent(ctx, object, 'ConfigMap', diff, !previous, {
        values: shown && shown.length > 0 ? shown : undefined,
      });
      return { record, events: [event] };
    },
    removed(previous, uid, object) {
      return [deletionEvent(ctx, { kind: 'ConfigMap', ...previous, uid }, object)];
    },
  };
}
