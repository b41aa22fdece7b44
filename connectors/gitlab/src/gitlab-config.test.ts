// The options as the connector reads them: defaults, self-managed hosts, secrets given as empty
// `${VAR:-}`, and when polling happens at all.
import { resolveGitlabConfig } from './gitlab-config.js';

describe('resolveGitlabConfig', () => {
  test('nothing configured: gitlab.com, every hook, no polling', () => {
    const config = resolveGitlabConfig({});
    expect(config).toMatchObject({
      host: 'https://gitlab.com',
      token: undefined,
      webhookSecret: undefined,
      poll: false,
      allJobs: false,
      pollIntervalMs: 60_000,
      backfillDays: 30,
      includeSubgroups: true,
    });
    expect([...config.events]).toHaveLength(8);
  });

  test('a self-managed host keeps its path (GitLab under /gitlab) without a trailing slash', () => {
    expect(resolveGitlabConfig({ host: 'https://git.example.com/gitlab/' }).host).toBe(
      'https://git.example.com/gitlab',
    );
  });

  test('empty secrets from ${VAR:-} count as not set', () => {
    const config = resolveGitlabConfig({ token: ' ', webhookSecret: '' });
    expect(config.token).toBeUndefined();
    expect(config.webhookSecret).toBeUndefined();
  });

  test('projects or a group turn polling on unless poll: false; entries keep their options', () => {
    expect(resolveGitlabConfig({ group: 'acme' }).poll).toBe(true);
    expect(resolveGitlabConfig({ group: 'acme', poll: false }).poll).toBe(false);
    const config = resolveGitlabConfig({
      projects: [{ id: 7, service: 'api', branches: ['release'] }, { path: 'acme/web' }],
      jobs: 'all',
    });
    expect(config.poll).toBe(true);
    expect(config.allJobs).toBe(true);
    expect(config.projects).toEqual([
      { ref: 7, service: 'api', environment: undefined, tags: [], branches: ['release'] },
      { ref: 'acme/web', service: undefined, environment: undefined, tags: [], branches: [] },
    ]);
  });
});
