// The hover/focus tooltip: one change in short, or the first few changes of a cluster.
import React from 'react';
import type { TimeZone } from '@grafana/schema';
import { Badge, useStyles2 } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { TimelineItem } from '../layout';
import { getTimelineStyles } from '../styles';
import { formatDuration, formatTime, humanize, timeAgo } from './describe';
import { statusBadgeColor } from './status-badge';

interface Props {
  item: TimelineItem;
  lane: string;
  left: number;
  top: number;
  alignRight: boolean;
  timeZone: TimeZone;
}

const CLUSTER_PREVIEW = 5;

export function TimelineTooltip({ item, lane, left, top, alignRight, timeZone }: Props) {
  const styles = useStyles2(getTimelineStyles);
  const position = alignRight ? { right: left, top } : { left, top };
  const first = item.events[0]!;
  if (item.events.length > 1) {
    const rest = item.events.length - CLUSTER_PREVIEW;
    return (
      <div className={styles.tooltip} style={position} data-testid={TEST_IDS.timeline.tooltip} role="tooltip">
        <div className={styles.tooltipTitle}>
          {item.events.length} changes in {lane}
        </div>
        <div className={styles.muted}>
          {formatTime(first.time, timeZone)} – {formatTime(item.events[item.events.length - 1]!.time, timeZone)}
        </div>
        {item.events.slice(0, CLUSTER_PREVIEW).map((e) => (
          <div key={e.index}>
            {humanize(e.kind)} · {e.title}
          </div>
        ))}
        {rest > 0 && <div className={styles.muted}>and {rest} more; click to list them</div>}
      </div>
    );
  }
  const author = first.author;
  return (
    <div className={styles.tooltip} style={position} data-testid={TEST_IDS.timeline.tooltip} role="tooltip">
      <div className={styles.tooltipTitle}>{first.title}</div>
      <div>
        <Badge text={humanize(first.kind)} color="blue" />{' '}
        {first.status && <Badge text={humanize(first.status)} color={statusBadgeColor(first.status)} />}
      </div>
      <div>
        {formatTime(first.time, timeZone)} <span className={styles.muted}>({timeAgo(first.time, timeZone)})</span>
      </div>
      {first.timeEnd !== null && first.timeEnd > first.time && (
        <div className={styles.muted}>took {formatDuration(first.timeEnd - first.time)}</div>
      )}
      <div className={styles.muted}>
        {lane}
        {author ? ` · by ${author}` : ''}
      </div>
    </div>
  );
}
