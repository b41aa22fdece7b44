import { getFieldDisplayValuesProxy } from '@grafana/data';
import { readInvestigateParams } from '../shared/investigate-url';
import { eventsToFrame, SOURCE_LINK } from './frames';
import type { ChangeEvent } from './types/api';

const change: ChangeEvent = {
  id: '01a21755-a53c-729d-91da-fc35e7d52572',
  connector: 'kubernetes',
  externalId: 'payments-deploy-9',
  kind: 'deploy',
  status: 'failed',
  title: 'Rollout payments v2.8.0 failed',
  description: null,
  project: 'prod-eu/payments',
  service: 'payments',
  environment: 'production',
  timestamp: '2026-11-26T08:55:07.597Z',
  endTimestamp: null,
  updatedAt: null,
  receivedAt: '2026-11-26T08:55:08.000Z',
  author: 'frank',
  url: 'https://argo.example.com/applications/payments',
  refs: { image: 'ghcr.io/acme/payments:2.8.0' },
  tags: ['k8s'],
  data: {},
};

/** Grafana's data-link interpolation of `${__data.fields.<name>[.numeric][:percentencode]}`. */
function interpolate(url: string, frame: ReturnType<typeof eventsToFrame>, rowIndex: number): string {
  const fields = getFieldDisplayValuesProxy({ frame, rowIndex });
  return url.replace(
    /\$\{__data\.fields\.(\w+)(?:\.(\w+))?(?::(\w+))?\}/g,
    (_, name: string, prop?: string, format?: string) => {
      const display = fields[name] as unknown as Record<string, unknown> & { toString(): string };
      const value = prop ? String(display[prop]) : display.toString();
      return format === 'percentencode' ? encodeURIComponent(value) : value;
    }
  );
}

describe('the frame links in tables and Explore', () => {
  it('"Investigate" on a title opens the page at that change, in its place, on the datasource that answered', () => {
    const frame = eventsToFrame({
      refId: 'A',
      events: [change],
      cap: 10,
      truncated: false,
      datasourceUid: 'painchain',
    });
    const [link] = frame.fields.find((f) => f.name === 'title')!.config.links!;
    expect(link!.title).toBe('Investigate');
    const path = interpolate(link!.url, frame, 0);
    expect(path.startsWith('/a/painchain-app/investigate?')).toBe(true);
    expect(readInvestigateParams(new URLSearchParams(path.split('?')[1]))).toEqual({
      params: {
        service: 'payments',
        environment: 'production',
        at: Date.parse(change.timestamp),
        datasource: 'painchain',
      },
      problems: [],
    });
  });

  it('"Open in source" on the url leads to it when it is http(s), and is empty (no link) otherwise', () => {
    const urls = [
      'https://argo.example.com/applications/payments',
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      '/admin/users',
      '//evil.example.com',
      null,
    ];
    const frame = eventsToFrame({
      refId: 'A',
      events: urls.map((url, i) => ({ ...change, id: `e${i}`, url })),
      cap: 10,
      truncated: false,
    });
    const url = frame.fields.find((f) => f.name === 'url')!;
    const [link] = url.config.links!;
    expect(link!.title).toBe('Open in source');
    expect(urls.map((_, row) => interpolate(link!.url, frame, row))).toEqual([
      'https://argo.example.com/applications/payments',
      '',
      '',
      '',
      '',
      '',
    ]);
    // The url itself is still there to read, as text.
    expect(url.values).toEqual(urls);
    // The helper field is hidden from tables.
    expect(frame.fields.find((f) => f.name === SOURCE_LINK)!.config.custom).toMatchObject({ hideFrom: { viz: true } });
  });
});
