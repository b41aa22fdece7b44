import { createDataFrame } from '@grafana/data';
import { axisTicks, layoutTimeline, toTime, toX } from './layout';
import type { TimelineEvent } from './types';

const frame = createDataFrame({ fields: [] });
const ev = (index: number, lane: string, time: number, over: Partial<TimelineEvent> = {}): TimelineEvent => ({
  index,
  id: String(index),
  time,
  timeEnd: null,
  title: `e${index}`,
  kind: 'deploy',
  status: null,
  lane,
  url: null,
  author: null,
  frame,
  row: index,
  ...over,
});

describe('timeline layout', () => {
  const scale = { from: 0, to: 1000, width: 100 };

  it('maps time to pixels and back', () => {
    expect(toX(scale, 500)).toBe(50);
    expect(toTime(scale, 25)).toBe(250);
  });

  it('sorts lanes, leaves out events outside the range, and clusters close markers', () => {
    const lanes = layoutTimeline(
      [
        ev(0, 'web', 100),
        ev(1, 'api', 100),
        ev(2, 'api', 150, { kind: 'push', status: 'failed' }),
        ev(3, 'api', 160, { kind: 'push' }),
        ev(4, 'api', 900),
        ev(5, 'api', 5000),
      ],
      scale,
      10
    );
    expect(lanes.map((l) => l.key)).toEqual(['api', 'web']);
    const api = lanes[0]!;
    expect(api.count).toBe(4);
    expect(api.items.map((i) => i.events.length)).toEqual([3, 1]);
    expect(api.items[0]).toMatchObject({ kind: 'push', failed: true, inProgress: false });
  });

  it('draws intervals for events with an end, clipped to the range', () => {
    const [lane] = layoutTimeline([ev(0, 'api', 800, { timeEnd: 2000, status: 'in_progress' })], scale, 10);
    expect(lane!.items[0]).toMatchObject({ x: 80, xEnd: 100, inProgress: true });
  });

  it('lays out 10,000 events into at most one item per cluster distance per lane', () => {
    const events = Array.from({ length: 10_000 }, (_, i) => ev(i, `lane-${i % 5}`, (i * 7919) % 1000));
    const lanes = layoutTimeline(events, { from: 0, to: 1000, width: 1000 }, 14);
    expect(lanes).toHaveLength(5);
    expect(lanes.reduce((n, l) => n + l.items.length, 0)).toBeLessThanOrEqual(5 * Math.ceil(1000 / 14) + 5);
    expect(lanes.reduce((n, l) => n + l.items.reduce((m, it) => m + it.events.length, 0), 0)).toBe(10_000);
  });

  it('picks round ticks that fit', () => {
    const hour = 3600_000;
    const ticks = axisTicks({ from: 0, to: 3 * hour, width: 900 });
    expect(ticks.step).toBe(30 * 60_000);
    expect(ticks.ticks).toHaveLength(7);
    expect(ticks.format).toBe('HH:mm');
  });
});
