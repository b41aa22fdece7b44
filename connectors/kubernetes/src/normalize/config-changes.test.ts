// ConfigMaps, spec diffs (HPA, Ingress) and custom resources that deploy, on documentation objects.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeObject } from '../kube-object.js';
import { configMapDetector } from './config-map-changes.js';
import { revisionDetector } from './revision-changes.js';
import { specDetector } from './spec-changes.js';

const base = {
  cluster: 'prod',
  now: () => new Date('2026-03-02T10:00:00Z'),
  serviceLabels: ['app.kubernetes.io/name', 'app'],
  ignoreAnnotations: [],
  maxValueLength: 12,
};
const load = (file: string, metadata: Record<string, unknown>): KubeObject => {
  const object = parse(
    readFileSync(new URL(`../../testdata/${file}`, import.meta.url), 'utf8'),
  ) as KubeObject;
  return {
    ...object,
    metadata: { ...object.metadata, namespace: 'default', uid: 'uid-1', ...metadata },
  } as KubeObject;
};

describe('ConfigMap changes', () => {
  it('shows old → new values, cut short, only when the options ask for them', () => {
    const before = load('game-demo-configmap.yaml', { resourceVersion: '1' });
    const after = {
      ...before,
      metadata: { ...before.metadata, resourceVersion: '2' },
      data: {
        ...(before.data as object),
        player_initial_lives: '5',
        ui_properties_file_name: 'a-very-long-file-name.properties',
      },
    } as KubeObject;
    const withValues = configMapDetector({ ...base, showConfigMapValues: true });
    const first = withValues.observe(undefined, before, true);
    expect(withValues.observe(first.record, after, false).events[0]?.data?.values).toEqual([
      { key: 'player_initial_lives', from: '3', to: '5' },
      { key: 'ui_properties_file_name', from: 'user-interf…', to: 'a-very-long…' },
    ]);
    const keysOnly = configMapDetector({ ...base, showConfigMapValues: false });
    const event = keysOnly.observe(keysOnly.observe(undefined, before, true).record, after, false)
      .events[0]!;
    expect(event).toMatchObject({
      title: 'ConfigMap default/game-demo: changed player_initial_lives, ui_properties_file_name',
      externalId: 'prod/uid-1/data/2',
    });
    expect(JSON.stringify(event)).not.toContain('user-interface');
  });
});

describe('spec changes', () => {
  it('diffs an HPA spec and ignores its status churn', () => {
    const detector = specDetector('HorizontalPodAutoscaler', base);
    const hpa = load('php-apache-hpa.yaml', { resourceVersion: '1' });
    const first = detector.observe(undefined, hpa, true);
    const statusOnly = {
      ...hpa,
      metadata: { ...hpa.metadata, resourceVersion: '2' },
      status: { currentReplicas: 4, desiredReplicas: 6 },
    } as KubeObject;
    expect(detector.observe(first.record, statusOnly, false).events).toEqual([]);
    const raised = structuredClone(hpa) as KubeObject & { spec: { maxReplicas: number } };
    raised.spec.maxReplicas = 20;
    expect(detector.observe(first.record, raised, false).events[0]).toMatchObject({
      kind: 'config',
      title: 'HorizontalPodAutoscaler default/php-apache: spec.maxReplicas: 10 → 20',
    });
  });

  it('sees an annotation that means something, not one that churns', () => {
    const detector = specDetector('Ingress', base);
    const ingress = load('minimal-ingress.yaml', { resourceVersion: '1' });
    const first = detector.observe(undefined, ingress, true);
    const annotate = (annotations: Record<string, string>) =>
      ({
        ...ingress,
        metadata: {
          ...ingress.metadata,
          annotations: { ...ingress.metadata?.annotations, ...annotations },
        },
      }) as KubeObject;
    expect(
      detector.observe(
        first.record,
        annotate({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' }),
        false,
      ).events,
    ).toEqual([]);
    expect(
      detector.observe(
        first.record,
        annotate({ 'nginx.ingress.kubernetes.io/rewrite-target': '/v2' }),
        false,
      ).events[0]?.title,
    ).toBe(
      'Ingress default/minimal-ingress: metadata.annotations[nginx.ingress.kubernetes.io/rewrite-target]: / → /v2',
    );
  });
});

describe('custom resources that deploy', () => {
  it('turns a new Argo CD sync revision into a deploy whose health follows', () => {
    const detector = revisionDetector(
      'Application',
      { revisionPath: 'status.sync.revision', statusPath: 'status.health.status' },
      base,
    );
    const app = (revision: string, health: string) =>
      ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'guestbook', namespace: 'argocd', uid: 'app-1' },
        status: { sync: { status: 'Synced', revision }, health: { status: health } },
      }) as unknown as KubeObject;
    const sha = 'a'.repeat(40);
    const first = detector.observe(undefined, app('b'.repeat(40), 'Healthy'), true);
    const progressing = detector.observe(first.record, app(sha, 'Progressing'), false);
    const healthy = detector.observe(progressing.record, app(sha, 'Healthy'), false);
    expect([...first.events, ...progressing.events, ...healthy.events]).toEqual([
      expect.objectContaining({
        kind: 'deploy',
        status: 'in_progress',
        title: 'Application argocd/guestbook deployed aaaaaaa',
        refs: { commit: sha },
        service: 'guestbook',
      }),
      expect.objectContaining({ externalId: 'prod/app-1/revision/' + sha, status: 'succeeded' }),
    ]);
  });
});
