// One colour per kind of change, the same in the timeline panel, the Investigate page and the
// documentation (docs/kind-colours.md). Colour-blind safe: drawn from Okabe–Ito's and Paul Tol's
// palettes, one set per theme, chosen so that every pair of kinds stays apart under normal vision
// and simulated protanopia, deuteranopia and tritanopia, each at least 3:1 against the panel
// background (kind-colors.test.ts checks both). Decision: docs/decisions/007-kind-palette.md.
import type { GrafanaTheme2 } from '@grafana/data';
import type { ChangeKind } from '@painchain/sdk';

export const KIND_PALETTE: Record<'dark' | 'light', Record<ChangeKind, string>> = {
  dark: {
    deploy: '#228833', // Tol bright green
    rollback: '#EE8866', // Tol light orange
    pipeline: '#0077BB', // Tol vibrant blue
    push: '#77AADD', // Tol light blue
    merge: '#CC79A7', // Okabe–Ito reddish purple
    pull_request: '#CC6677', // Tol muted rose
    release: '#CCBB44', // Tol bright yellow
    tag: '#999933', // Tol muted olive
    config: '#44BB99', // Tol light mint
    scale: '#88CCEE', // Tol muted cyan
    infra: '#009988', // Tol vibrant teal
    feature_flag: '#F0E442', // Okabe–Ito yellow
    alert: '#CC3311', // Tol vibrant red
    incident: '#EE3377', // Tol vibrant magenta
    other: '#BBBBBB', // Tol bright grey
  },
  light: {
    deploy: '#117733', // Tol muted green
    rollback: '#997700', // Tol medium-contrast dark yellow
    pipeline: '#0077BB', // Tol vibrant blue
    push: '#332288', // Tol muted indigo
    merge: '#AA4499', // Tol muted purple
    pull_request: '#CC79A7', // Okabe–Ito reddish purple
    release: '#6699CC', // Tol medium-contrast light blue
    tag: '#663333', // Tol dark red
    config: '#009E73', // Okabe–Ito bluish green
    scale: '#225555', // Tol dark cyan
    infra: '#000000', // Okabe–Ito black
    feature_flag: '#999933', // Tol muted olive
    alert: '#EE6677', // Tol bright red
    incident: '#CC3311', // Tol vibrant red
    other: '#222255', // Tol dark blue
  },
};

export const KINDS = Object.keys(KIND_PALETTE.dark) as ChangeKind[];

const isKind = (kind: string): kind is ChangeKind => kind in KIND_PALETTE.dark;

/** The theme's colour for a kind; unknown kinds (a newer collector) get the neutral one. */
export function kindColor(theme: GrafanaTheme2, kind: string | null | undefined): string {
  if (!kind || !isKind(kind)) {
    return theme.colors.text.secondary;
  }
  return KIND_PALETTE[theme.isDark ? 'dark' : 'light'][kind];
}
