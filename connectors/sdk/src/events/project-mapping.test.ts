// The config's service, environment and tags land on the events of the project they describe.
import type { ChangeEventInput } from '../change-event.js';
import { ProjectMapping } from './project-mapping.js';

const event = (project: string, extra: Partial<ChangeEventInput> = {}): ChangeEventInput => ({
  connector: 'github',
  title: 'push to main',
  project,
  timestamp: '2026-11-25T10:00:00Z',
  ...extra,
});

const entries = [
  { project: 'acme/api', service: 'api', environment: 'production', tags: ['team-a'] },
  { project: 'acme/web', tags: ['team-b'] },
];

describe('ProjectMapping', () => {
  test('adds the configured service, environment and tags; unmapped projects pass unchanged', () => {
    const mapping = new ProjectMapping(entries);
    expect(mapping.apply([event('acme/api'), event('acme/docs')])).toEqual([
      event('acme/api', { service: 'api', environment: 'production', tags: ['team-a'] }),
      event('acme/docs'),
    ]);
  });

  test('matches projects case-insensitively by default, as GitHub and GitLab paths do', () => {
    const [mapped] = new ProjectMapping(entries).apply([event('ACME/Api')]);
    expect(mapped).toEqual(
      event('ACME/Api', { service: 'api', environment: 'production', tags: ['team-a'] }),
    );
  });

  test('with caseSensitive, only the exact project matches (Kubernetes namespaces)', () => {
    const mapping = new ProjectMapping([{ project: 'prod/Payments', service: 'payments' }], {
      caseSensitive: true,
    });
    expect(mapping.apply([event('prod/payments'), event('prod/Payments')])).toEqual([
      event('prod/payments'),
      event('prod/Payments', { service: 'payments' }),
    ]);
  });

  test("keeps the event's own service and environment", () => {
    const [mapped] = new ProjectMapping(entries).apply([
      event('acme/api', { service: 'api-worker', environment: 'staging' }),
    ]);
    expect(mapped).toMatchObject({ service: 'api-worker', environment: 'staging' });
  });

  test("merges the event's, the instance's and the project's tags, each once", () => {
    const mapping = new ProjectMapping(entries, { tags: ['github', 'team-a'] });
    const [api, docs] = mapping.apply([
      event('acme/api', { tags: ['hotfix', 'github'] }),
      event('acme/docs'),
    ]);
    expect(api!.tags).toEqual(['hotfix', 'github', 'team-a']);
    expect(docs!.tags).toEqual(['github', 'team-a']);
  });

  test('does not change the events it is given', () => {
    const original = event('acme/api', { tags: ['hotfix'] });
    const copy = structuredClone(original);
    new ProjectMapping(entries, { tags: ['github'] }).apply([original]);
    expect(original).toEqual(copy);
  });

  test('adds no empty tags list', () => {
    const [mapped] = new ProjectMapping([]).apply([event('acme/api')]);
    expect(mapped).not.toHaveProperty('tags');
  });
});
