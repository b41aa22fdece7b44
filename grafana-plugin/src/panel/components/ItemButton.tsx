// One marker (a change) or cluster (several): a button, so it is reachable and usable by keyboard.
import React, { forwardRef } from 'react';
import { cx } from '@emotion/css';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { kindColor } from '../../shared/kind-colors';
import { TEST_IDS } from '../../test-ids';
import type { TimelineItem } from '../layout';
import { getTimelineStyles, hatched } from '../styles';

interface Props {
  item: TimelineItem;
  label: string;
  tabIndex: number;
  onActivate: (item: TimelineItem) => void;
  onFocusItem: (item: TimelineItem) => void;
  onHover: (item: TimelineItem | null) => void;
  onKeyDown: (event: React.KeyboardEvent<HTMLButtonElement>, item: TimelineItem) => void;
}

export const ItemButton = forwardRef<HTMLButtonElement, Props>(function ItemButton(
  { item, label, tabIndex, onActivate, onFocusItem, onHover, onKeyDown },
  ref
) {
  const styles = useStyles2(getTimelineStyles);
  const theme = useTheme2();
  const color = kindColor(theme, item.kind);
  const isCluster = item.events.length > 1;
  const fill = item.inProgress && !isCluster ? hatched(color) : color;
  return (
    <button
      ref={ref}
      type="button"
      data-testid={isCluster ? TEST_IDS.timeline.cluster : TEST_IDS.timeline.marker}
      data-kind={item.kind}
      data-status={isCluster ? undefined : (item.events[0]?.status ?? undefined)}
      aria-label={label}
      tabIndex={tabIndex}
      className={cx(styles.item, isCluster ? styles.cluster : styles.marker, item.failed && styles.failed)}
      style={{
        left: item.x,
        background: fill,
        backgroundColor: item.inProgress && !isCluster ? theme.colors.background.primary : color,
        color: isCluster ? theme.colors.getContrastText(color) : undefined,
        borderColor: item.failed ? undefined : item.inProgress ? color : undefined,
      }}
      onMouseDown={(e) => e.stopPropagation()}
      onClick={() => onActivate(item)}
      onFocus={() => onFocusItem(item)}
      onBlur={() => onHover(null)}
      onMouseEnter={() => onHover(item)}
      onMouseLeave={() => onHover(null)}
      onKeyDown={(e) => onKeyDown(e, item)}
    >
      {isCluster ? item.events.length : null}
    </button>
  );
});
