// The change timeline: one lane per project or service, markers coloured by kind, clusters with
// counts, intervals for changes with an end, drag to zoom (sets the dashboard time range),
// tooltips on hover and focus, arrow-key navigation, and a details drawer on click.
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { dateTimeFormat, type PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { kindColor } from '../../shared/kind-colors';
import { TEST_IDS } from '../../test-ids';
import { eventsFromFrames } from '../events-from-frames';
import { axisTicks, layoutTimeline, toTime, type TimeScale, type TimelineItem } from '../layout';
import { AXIS_HEIGHT, getTimelineStyles, LANE_HEIGHT } from '../styles';
import type { TimeMark, TimelineEvent, TimelineOptions } from '../types';
import { describeItem } from './describe';
import { EventDrawer } from './EventDrawer';
import { ItemButton } from './ItemButton';
import { Legend } from './Legend';
import { TimelineTooltip } from './TimelineTooltip';

const MIN_DRAG_PX = 4;
const LABEL_MIN = 80;
const LABEL_MAX = 220;
const CHAR_PX = 7;
/** Room on the right so the last marker and tick label are not cut. */
const RIGHT_PAD = 12;

interface Drag {
  /** Left edge of the tracks on screen, at the time the drag started. */
  originX: number;
  x0: number;
  x1: number;
}

type Props = PanelProps<TimelineOptions> & {
  /** Moments drawn across every lane (Grafana never passes these; the Investigate page does). */
  marks?: TimeMark[];
};

export function TimelinePanel({
  data,
  width,
  height,
  options,
  timeRange,
  timeZone,
  onChangeTimeRange,
  marks = [],
}: Props) {
  const styles = useStyles2(getTimelineStyles);
  const theme = useTheme2();
  const events = useMemo(() => eventsFromFrames(data.series, options.laneBy), [data.series, options.laneBy]);
  const notices = useMemo(
    () => data.series.flatMap((f) => f.meta?.notices ?? []).filter((n) => n.severity !== 'info'),
    [data.series]
  );

  const laneNames = useMemo(() => [...new Set(events.map((e) => e.lane))], [events]);
  const labelWidth = Math.min(LABEL_MAX, Math.max(LABEL_MIN, ...laneNames.map((n) => (n.length + 6) * CHAR_PX)));
  const from = timeRange.from.valueOf();
  const to = timeRange.to.valueOf();
  const trackWidth = Math.max(40, width - labelWidth - RIGHT_PAD);
  const scale: TimeScale = useMemo(() => ({ from, to, width: trackWidth }), [from, to, trackWidth]);
  const lanes = useMemo(
    () => layoutTimeline(events, scale, options.clusterDistance),
    [events, scale, options.clusterDistance]
  );
  const ticks = useMemo(() => axisTicks(scale), [scale]);
  const kinds = useMemo(() => [...new Set(events.map((e) => e.kind))].sort(), [events]);

  const [open, setOpen] = useState<TimelineEvent[] | null>(null);
  const [hover, setHover] = useState<TimelineItem | null>(null);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement>());

  // Drag to zoom: listen on the window so a drag that leaves the panel still ends.
  useEffect(() => {
    if (!drag) {
      return;
    }
    const move = (e: MouseEvent) =>
      setDrag((d) => (d ? { ...d, x1: Math.min(trackWidth, Math.max(0, e.clientX - d.originX)) } : d));
    const up = (e: MouseEvent) => {
      const x1 = Math.min(trackWidth, Math.max(0, e.clientX - drag.originX));
      setDrag(null);
      if (Math.abs(x1 - drag.x0) >= MIN_DRAG_PX) {
        const [a, b] = [Math.min(drag.x0, x1), Math.max(drag.x0, x1)];
        onChangeTimeRange({ from: Math.round(toTime(scale, a)), to: Math.round(toTime(scale, b)) });
      }
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    return () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
  }, [drag, trackWidth, scale, onChangeTimeRange]);

  const startDrag = (e: React.MouseEvent<HTMLDivElement>) => {
    if (e.button !== 0) {
      return;
    }
    const originX = e.currentTarget.getBoundingClientRect().left;
    const x = e.clientX - originX;
    setHover(null);
    setDrag({ originX, x0: x, x1: x });
  };

  const focusItem = useCallback((key: string | undefined) => {
    if (key) {
      setActiveKey(key);
      buttons.current.get(key)?.focus();
    }
  }, []);

  // Arrow keys move between markers (one tab stop for the whole timeline).
  const onItemKeyDown = (e: React.KeyboardEvent<HTMLButtonElement>, item: TimelineItem) => {
    const laneIndex = lanes.findIndex((l) => l.items.includes(item));
    const lane = lanes[laneIndex];
    if (!lane) {
      return;
    }
    const i = lane.items.indexOf(item);
    const nearestIn = (l: (typeof lanes)[number] | undefined) =>
      l?.items.reduce((best, it) => (Math.abs(it.x - item.x) < Math.abs(best.x - item.x) ? it : best)).key;
    const target: Record<string, () => string | undefined> = {
      ArrowRight: () => lane.items[i + 1]?.key,
      ArrowLeft: () => lane.items[i - 1]?.key,
      Home: () => lane.items[0]?.key,
      End: () => lane.items[lane.items.length - 1]?.key,
      ArrowDown: () => nearestIn(lanes[laneIndex + 1]),
      ArrowUp: () => nearestIn(lanes[laneIndex - 1]),
    };
    const next = target[e.key];
    if (next) {
      e.preventDefault();
      focusItem(next());
    } else if (e.key === 'Escape') {
      setHover(null);
    }
  };

  const firstKey = lanes[0]?.items[0]?.key;
  const tabStop = activeKey && lanes.some((l) => l.items.some((it) => it.key === activeKey)) ? activeKey : firstKey;
  const hoverLane = hover ? lanes.findIndex((l) => l.items.includes(hover)) : -1;

  const tickLabel = (t: number) =>
    dateTimeFormat(t, {
      timeZone,
      format:
        ticks.format === 'HH:mm' && dateTimeFormat(t, { timeZone, format: 'HH:mm' }) === '00:00'
          ? 'MMM D'
          : ticks.format,
    });

  return (
    <div className={styles.container} style={{ width, height }} data-testid={TEST_IDS.timeline.panel}>
      {notices.map((n, i) => (
        <div key={i} className={styles.notice} data-testid={TEST_IDS.timeline.notice} role="status">
          {n.text}
        </div>
      ))}
      {events.length === 0 ? (
        <div className={styles.empty} data-testid={TEST_IDS.timeline.empty}>
          No changes in this time range
        </div>
      ) : (
        <>
          <div className={styles.axis} aria-hidden>
            {ticks.ticks.map((t) => (
              <span
                key={t}
                className={styles.tick}
                style={{ left: labelWidth + ((t - from) / (to - from)) * trackWidth }}
              >
                {tickLabel(t)}
              </span>
            ))}
          </div>
          <div className={styles.lanes} role="group" aria-label="Change timeline">
            {lanes.map((lane) => (
              <div key={lane.key} className={styles.lane} data-testid={TEST_IDS.timeline.lane} data-lane={lane.key}>
                <div
                  className={styles.laneLabel}
                  style={{ width: labelWidth }}
                  title={lane.key}
                  data-testid={TEST_IDS.timeline.laneLabel}
                >
                  <span className={styles.laneName}>{lane.key}</span>
                  <span className={styles.laneCount}>{lane.count}</span>
                </div>
                <div
                  className={styles.track}
                  style={{ width: trackWidth }}
                  data-testid={TEST_IDS.timeline.track}
                  onMouseDown={startDrag}
                >
                  {ticks.ticks.map((t) => (
                    <span
                      key={t}
                      className={styles.gridLine}
                      style={{ left: ((t - from) / (to - from)) * trackWidth }}
                    />
                  ))}
                  {lane.items.map((item) =>
                    item.xEnd !== null ? (
                      <span
                        key={`${item.key}-interval`}
                        className={styles.interval}
                        data-testid={TEST_IDS.timeline.interval}
                        style={{ left: item.x, width: item.xEnd - item.x, background: kindColor(theme, item.kind) }}
                      />
                    ) : null
                  )}
                  {lane.items.map((item) => (
                    <ItemButton
                      key={item.key}
                      ref={(el) => {
                        if (el) {
                          buttons.current.set(item.key, el);
                        } else {
                          buttons.current.delete(item.key);
                        }
                      }}
                      item={item}
                      label={describeItem(item, lane.key, timeZone)}
                      tabIndex={item.key === tabStop ? 0 : -1}
                      onActivate={(it) => {
                        setHover(null);
                        setOpen(it.events);
                      }}
                      onFocusItem={(it) => {
                        setActiveKey(it.key);
                        setHover(it);
                      }}
                      onHover={setHover}
                      onKeyDown={onItemKeyDown}
                    />
                  ))}
                </div>
              </div>
            ))}
            {marks
              .filter((m) => m.time >= from && m.time <= to)
              .map((m) => (
                <div
                  key={`${m.time}-${m.label}`}
                  className={styles.mark}
                  data-testid={TEST_IDS.app.mark}
                  style={{ left: labelWidth + ((m.time - from) / (to - from)) * trackWidth }}
                  title={`${m.label}: ${dateTimeFormat(m.time, { timeZone, format: 'YYYY-MM-DD HH:mm:ss' })}`}
                >
                  <span className={styles.markLabel}>{m.label}</span>
                </div>
              ))}
            {drag && Math.abs(drag.x1 - drag.x0) > 0 && (
              <div
                className={styles.selection}
                data-testid={TEST_IDS.timeline.selection}
                style={{ left: labelWidth + Math.min(drag.x0, drag.x1), width: Math.abs(drag.x1 - drag.x0) }}
              />
            )}
          </div>
          {hover && hoverLane >= 0 && (
            <TimelineTooltip
              item={hover}
              lane={lanes[hoverLane]!.key}
              left={hover.x > trackWidth / 2 ? width - labelWidth - hover.x + 12 : labelWidth + hover.x + 12}
              alignRight={hover.x > trackWidth / 2}
              top={Math.min(height - 120, AXIS_HEIGHT + notices.length * 20 + (hoverLane + 1) * LANE_HEIGHT)}
              timeZone={timeZone}
            />
          )}
          {options.showLegend && <Legend kinds={kinds} />}
        </>
      )}
      {open && <EventDrawer key={open[0]?.index} events={open} timeZone={timeZone} onClose={() => setOpen(null)} />}
    </div>
  );
}
