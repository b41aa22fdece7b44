import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { dateTime, LoadingState, type DataFrame, type PanelProps } from '@grafana/data';
import { eventsToFrame } from '../../datasource/frames';
import type { ChangeEvent } from '../../datasource/types/api';
import { TEST_IDS } from '../../test-ids';
import { DEFAULT_OPTIONS } from '../options';
import type { TimelineOptions } from '../types';
import { TimelinePanel } from './TimelinePanel';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const HOUR = 3600_000;

const event = (i: number, over: Partial<ChangeEvent>): ChangeEvent => ({
  id: `e${i}`,
  connector: 'ci',
  externalId: `x${i}`,
  kind: 'deploy',
  status: 'succeeded',
  title: `Change ${i}`,
  description: null,
  project: 'acme/api',
  service: 'api',
  environment: 'production',
  timestamp: new Date(T0 + i * 10 * 60_000).toISOString(),
  endTimestamp: null,
  updatedAt: null,
  receivedAt: '2026-11-25T10:00:00Z',
  author: 'alice',
  url: 'https://ci.example.com/1',
  refs: { commit: 'abc' },
  tags: ['t'],
  data: { nested: { deep: { value: 1 } }, state: 'failed' },
  ...over,
});

function renderPanel(frames: DataFrame[], options: Partial<TimelineOptions> = {}) {
  const onChangeTimeRange = jest.fn();
  const range = { from: dateTime(T0), to: dateTime(T0 + 3 * HOUR), raw: { from: 'now-3h', to: 'now' } };
  const props = {
    id: 1,
    data: { state: LoadingState.Done, series: frames, timeRange: range },
    timeRange: range,
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...options },
    transparent: false,
    width: 800,
    height: 240,
    fieldConfig: { defaults: {}, overrides: [] },
    renderCounter: 1,
    title: 'Changes',
    eventBus: undefined as never,
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (s: string) => s,
    onChangeTimeRange,
  } as PanelProps<TimelineOptions>;
  return { ...render(<TimelinePanel {...props} />), onChangeTimeRange };
}

const sample = () =>
  eventsToFrame({
    refId: 'A',
    cap: 100,
    truncated: false,
    events: [
      event(0, { kind: 'pipeline', endTimestamp: new Date(T0 + 9 * 60_000).toISOString() }),
      event(3, {
        kind: 'deploy',
        status: 'failed',
        service: 'payments',
        project: 'prod/payments',
        title: 'Rollout failed',
      }),
      event(6, { kind: 'push', service: null, project: 'acme/web', status: 'in_progress' }),
      event(7, { kind: 'push', service: null, project: 'acme/web' }),
    ],
  });

describe('TimelinePanel', () => {
  it('says so when there are no changes', () => {
    renderPanel([eventsToFrame({ refId: 'A', events: [], cap: 100, truncated: false })]);
    expect(screen.getByTestId(TEST_IDS.timeline.empty)).toHaveTextContent('No changes in this time range');
  });

  it('draws one lane per service (falling back to the project) with markers, intervals and clusters', () => {
    renderPanel([sample()], { clusterDistance: 40 });
    expect(screen.getAllByTestId(TEST_IDS.timeline.laneLabel).map((l) => l.textContent)).toEqual([
      'acme/web2',
      'api1',
      'payments1',
    ]);
    expect(screen.getAllByTestId(TEST_IDS.timeline.interval)).toHaveLength(1);
    const cluster = screen.getByTestId(TEST_IDS.timeline.cluster);
    expect(cluster).toHaveTextContent('2');
    expect(cluster).toHaveAccessibleName(/^2 changes in acme\/web/);
    const failed = screen.getByRole('button', { name: /^Rollout failed: deploy, failed, payments/ });
    expect(failed).toHaveAttribute('data-status', 'failed');
    expect(screen.getByTestId(TEST_IDS.timeline.legend)).toHaveTextContent(
      /deploy.*pipeline.*push.*failed.*in progress/
    );
  });

  it('groups by project when asked', () => {
    renderPanel([sample()], { laneBy: 'project' });
    expect(screen.getAllByTestId(TEST_IDS.timeline.laneLabel).map((l) => l.textContent)).toEqual([
      'acme/api1',
      'acme/web2',
      'prod/payments1',
    ]);
  });

  it("shows the query's notices (a capped result)", () => {
    const frame = eventsToFrame({ refId: 'A', events: [event(0, {})], cap: 1, truncated: true });
    renderPanel([frame]);
    expect(screen.getByTestId(TEST_IDS.timeline.notice)).toHaveTextContent('Showing the newest 1 changes');
  });

  it('shows a tooltip on hover and opens a drawer with the generic details on click', () => {
    renderPanel([sample()]);
    const marker = screen.getByRole('button', { name: /^Rollout failed/ });
    fireEvent.mouseEnter(marker);
    expect(screen.getByTestId(TEST_IDS.timeline.tooltip)).toHaveTextContent('Rollout failed');
    fireEvent.click(marker);
    const drawer = screen.getByTestId(TEST_IDS.drawer.body);
    expect(within(drawer).getByTestId(TEST_IDS.drawer.sourceLink)).toHaveAttribute('href', 'https://ci.example.com/1');
    expect(within(drawer).getByRole('link', { name: /ci.example.com/ })).toBeInTheDocument();
    expect(within(drawer).getByTestId(TEST_IDS.drawer.chain)).toHaveTextContent('Chain');
    expect(within(drawer).getByText('alice')).toBeInTheDocument();
    // Nested objects are collapsible: the first level is open, deeper ones closed.
    expect(within(drawer).getByRole('button', { name: /^data/ })).toHaveAttribute('aria-expanded', 'true');
    const nested = within(drawer).getByRole('button', { name: /^nested/ });
    expect(nested).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(nested);
    expect(within(drawer).getByRole('button', { name: /^deep/ })).toBeInTheDocument();
    // Status-like values of any source render as badges.
    expect(within(drawer).getAllByText('failed').length).toBeGreaterThan(1);
    expect(within(drawer).getAllByText(/ago/).length).toBeGreaterThan(0);
  });

  it('shows a url that is not http(s), and such URLs in data, as text in the drawer, never as links', () => {
    const hostile = [
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '/admin/users',
      '//evil.example.com/login',
    ];
    renderPanel([
      eventsToFrame({
        refId: 'A',
        cap: 100,
        truncated: false,
        events: [
          event(0, {
            title: 'Hostile change',
            url: hostile[0]!,
            data: { links: hostile.slice(1), homepage: 'https://ok.example.com/x' },
          }),
        ],
      }),
    ]);
    fireEvent.click(screen.getByRole('button', { name: /^Hostile change/ }));
    const drawer = screen.getByTestId(TEST_IDS.drawer.body);
    expect(within(drawer).queryByTestId(TEST_IDS.drawer.sourceLink)).not.toBeInTheDocument();
    for (const text of hostile) {
      expect(within(drawer).getByText(text, { exact: false })).toBeInTheDocument();
    }
    // Links into PainChain's own pages (Investigate) are ours; every other link is the http one.
    const hrefs = within(drawer)
      .queryAllByRole('link')
      .map((a) => a.getAttribute('href'))
      .filter((href) => !href?.startsWith('/a/painchain-app/'));
    expect(hrefs).toEqual(['https://ok.example.com/x']);
    // The frame's hidden link field is not one of the details.
    expect(within(drawer).queryByText('sourceLink')).not.toBeInTheDocument();
  });

  it("lists a cluster's changes in the drawer, each one opening its details", () => {
    renderPanel([sample()], { clusterDistance: 40 });
    fireEvent.click(screen.getByTestId(TEST_IDS.timeline.cluster));
    const list = screen.getByTestId(TEST_IDS.drawer.clusterList);
    fireEvent.click(within(list).getAllByRole('button')[0]!);
    expect(screen.getByTestId(TEST_IDS.drawer.details)).toBeInTheDocument();
  });

  it('moves focus between markers with arrow keys (one tab stop)', () => {
    renderPanel([sample()]);
    const buttons = screen.getAllByRole('button');
    expect(buttons.filter((b) => b.tabIndex === 0)).toHaveLength(1);
    const first = buttons.find((b) => b.tabIndex === 0)!;
    act(() => first.focus());
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    expect(document.activeElement).not.toBe(first);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('aria-label')).toMatch(/api/);
  });

  it('sets the dashboard time range when a span is dragged', () => {
    const { onChangeTimeRange } = renderPanel([sample()]);
    const track = screen.getAllByTestId(TEST_IDS.timeline.track)[0]!;
    fireEvent.mouseDown(track, { button: 0, clientX: 100 });
    fireEvent.mouseMove(window, { clientX: 200 });
    fireEvent.mouseUp(window, { clientX: 200 });
    expect(onChangeTimeRange).toHaveBeenCalledTimes(1);
    const { from, to } = onChangeTimeRange.mock.calls[0][0];
    expect(from).toBeGreaterThanOrEqual(T0);
    expect(to).toBeGreaterThan(from);
  });
});
