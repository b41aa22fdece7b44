// Styles of the timeline panel, from the theme only (light and dark each get their own).
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

export const LANE_HEIGHT = 34;
export const AXIS_HEIGHT = 22;
export const MARKER_SIZE = 12;

export const getTimelineStyles = (theme: GrafanaTheme2) => ({
  container: css({
    position: 'relative',
    display: 'flex',
    flexDirection: 'column',
    height: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    userSelect: 'none',
  }),
  notice: css({
    color: theme.colors.warning.text,
    padding: theme.spacing(0.25, 0),
  }),
  empty: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    flex: 1,
    color: theme.colors.text.secondary,
  }),
  axis: css({
    position: 'relative',
    height: AXIS_HEIGHT,
    flexShrink: 0,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
  }),
  tick: css({
    position: 'absolute',
    top: 2,
    transform: 'translateX(-50%)',
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
  }),
  lanes: css({
    position: 'relative',
    flex: 1,
    overflowY: 'auto',
    overflowX: 'hidden',
  }),
  lane: css({
    display: 'flex',
    height: LANE_HEIGHT,
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    '&:nth-of-type(odd)': {
      background: theme.colors.background.secondary,
    },
  }),
  laneLabel: css({
    flexShrink: 0,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    padding: theme.spacing(0, 1, 0, 0.5),
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    textOverflow: 'ellipsis',
    fontWeight: theme.typography.fontWeightMedium,
  }),
  laneName: css({
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  laneCount: css({
    color: theme.colors.text.secondary,
    fontWeight: theme.typography.fontWeightRegular,
  }),
  track: css({
    position: 'relative',
    flexShrink: 0,
    cursor: 'crosshair',
  }),
  gridLine: css({
    position: 'absolute',
    top: 0,
    bottom: 0,
    width: 1,
    background: theme.colors.border.weak,
  }),
  interval: css({
    position: 'absolute',
    top: LANE_HEIGHT / 2 - 3,
    height: 6,
    borderRadius: 3,
    opacity: 0.45,
    pointerEvents: 'none',
  }),
  item: css({
    position: 'absolute',
    top: '50%',
    transform: 'translate(-50%, -50%)',
    padding: 0,
    margin: 0,
    cursor: 'pointer',
    border: `2px solid ${theme.colors.background.primary}`,
    '&:focus-visible': {
      outline: `2px solid ${theme.colors.primary.main}`,
      outlineOffset: 2,
    },
    '&:hover': {
      zIndex: 2,
      transform: 'translate(-50%, -50%) scale(1.25)',
    },
  }),
  marker: css({
    width: MARKER_SIZE + 4,
    height: MARKER_SIZE + 4,
    borderRadius: '50%',
  }),
  cluster: css({
    minWidth: 24,
    height: 20,
    borderRadius: 10,
    padding: theme.spacing(0, 0.75),
    fontSize: 11,
    fontWeight: theme.typography.fontWeightBold,
    lineHeight: '16px',
  }),
  failed: css({
    borderColor: theme.colors.error.main,
    boxShadow: `0 0 0 1px ${theme.colors.error.main}`,
  }),
  selection: css({
    position: 'absolute',
    top: 0,
    bottom: 0,
    background: theme.colors.primary.transparent,
    border: `1px solid ${theme.colors.primary.border}`,
    pointerEvents: 'none',
    zIndex: 3,
  }),
  mark: css({
    position: 'absolute',
    top: 0,
    bottom: 0,
    width: 0,
    borderLeft: `2px dashed ${theme.colors.error.main}`,
    pointerEvents: 'none',
    zIndex: 1,
  }),
  markLabel: css({
    position: 'absolute',
    top: 0,
    left: 4,
    padding: theme.spacing(0, 0.5),
    whiteSpace: 'nowrap',
    color: theme.colors.error.contrastText,
    background: theme.colors.error.main,
    borderRadius: theme.shape.radius.default,
    fontSize: 11,
  }),
  tooltip: css({
    position: 'absolute',
    zIndex: 4,
    maxWidth: 360,
    padding: theme.spacing(1),
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z3,
    pointerEvents: 'none',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  tooltipTitle: css({
    fontWeight: theme.typography.fontWeightMedium,
    fontSize: theme.typography.body.fontSize,
  }),
  muted: css({
    color: theme.colors.text.secondary,
  }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5, 1.5),
    paddingTop: theme.spacing(0.5),
    flexShrink: 0,
    color: theme.colors.text.secondary,
  }),
  legendItem: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  swatch: css({
    display: 'inline-block',
    width: 12,
    height: 12,
    borderRadius: '50%',
    border: `2px solid ${theme.colors.background.primary}`,
  }),
});

/** A hatched fill (in progress) in the kind's colour. */
export const hatched = (color: string): string =>
  `repeating-linear-gradient(45deg, ${color} 0px, ${color} 2px, transparent 2px, transparent 5px)`;
