// One colour per kind of change, by name from Grafana's visualization palette, so light and dark
// themes each get their own shade. Shared by the timeline panel and the annotations.
import type { GrafanaTheme2 } from '@grafana/data';
import type { ChangeKind } from '@painchain/sdk';

export const KIND_COLOR_NAMES: Record<ChangeKind, string> = {
  deploy: 'green',
  rollback: 'orange',
  pipeline: 'blue',
  push: 'light-purple',
  merge: 'purple',
  pull_request: 'semi-dark-purple',
  release: 'yellow',
  tag: 'semi-dark-yellow',
  config: 'light-blue',
  scale: 'dark-blue',
  infra: 'semi-dark-green',
  feature_flag: 'light-orange',
  alert: 'semi-dark-red',
  incident: 'dark-red',
  other: 'text',
};

const isKind = (kind: string): kind is ChangeKind => kind in KIND_COLOR_NAMES;

/** The theme's colour for a kind; unknown kinds (a newer collector) get the neutral one. */
export function kindColor(theme: GrafanaTheme2, kind: string | null | undefined): string {
  const name = kind && isKind(kind) ? KIND_COLOR_NAMES[kind] : 'text';
  return name === 'text' ? theme.colors.text.secondary : theme.visualization.getColorByName(name);
}
