import { createTheme, type AnnotationQuery, type DataFrame } from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import { changesAnnotationSupport, framesToAnnotations } from './annotations';
import { eventsToFrame } from './frames';
import type { ChangeEvent } from './types/api';
import type { ChangesQuery } from './types/query';
import { KIND_PALETTE } from '../shared/kind-colors';

const event = (over: Partial<ChangeEvent>): ChangeEvent => ({
  id: 'e1',
  connector: 'ci',
  externalId: 'x',
  kind: 'deploy',
  status: 'succeeded',
  title: 'Deploy api',
  description: null,
  project: 'acme/api',
  service: 'api',
  environment: 'production',
  timestamp: '2026-11-25T10:00:00.000Z',
  endTimestamp: null,
  updatedAt: null,
  receivedAt: '2026-11-25T10:00:00.000Z',
  author: 'alice',
  url: 'https://ci.example.com/1',
  refs: {},
  tags: ['a', 'b'],
  data: {},
  ...over,
});

const frame = (events: ChangeEvent[]): DataFrame =>
  eventsToFrame({ refId: 'Anno', events, cap: 100, truncated: false });

describe('annotations', () => {
  it('turns changes into annotations: regions for durations, tags as a list, kind colour from the theme', () => {
    const theme = createTheme({ colors: { mode: 'dark' } });
    const [point, region] = framesToAnnotations(
      [frame([event({}), event({ id: 'e2', kind: 'pipeline', endTimestamp: '2026-11-25T10:07:00.000Z' })])],
      theme
    );
    expect(point).toMatchObject({
      id: 'e1',
      time: Date.parse('2026-11-25T10:00:00Z'),
      isRegion: false,
      title: 'Deploy api',
      tags: ['a', 'b'],
    });
    expect(point!.color).toBe(KIND_PALETTE.dark.deploy);
    expect(region).toMatchObject({ isRegion: true, timeEnd: Date.parse('2026-11-25T10:07:00Z') });
  });

  it('puts status, author, place and an escaped "Open in source" link in the text', () => {
    const [a] = framesToAnnotations([
      frame([event({ author: '<script>x</script>', url: 'https://ci.example.com/1?a=1&b=2' })]),
    ]);
    expect(a!.text).toBe(
      'deploy · succeeded · by &#60;script&#62;x&#60;/script&#62;<br>acme/api / api / production<br>' +
        '<a href="https://ci.example.com/1?a=1&#38;b=2" target="_blank" rel="noopener noreferrer">Open in source</a>'
    );
    const [noLink] = framesToAnnotations([frame([event({ url: 'javascript:alert(1)' })])]);
    expect(noLink!.text).not.toContain('<a');
  });

  it('prepares a saved annotation into a query and processes the frames it returns', async () => {
    const support = changesAnnotationSupport(() => undefined);
    const anno = support.prepareAnnotation!({
      name: 'Changes',
      enable: true,
      iconColor: 'red',
    }) as AnnotationQuery<ChangesQuery>;
    expect(anno.target).toEqual({ refId: 'Anno' });
    expect(support.prepareQuery!({ ...anno, target: { refId: '', service: ['api'] } })).toEqual({
      refId: 'Anno',
      service: ['api'],
    });
    const events = await lastValueFrom(support.processEvents!(anno, [frame([event({})])]));
    expect(events).toHaveLength(1);
  });
});
