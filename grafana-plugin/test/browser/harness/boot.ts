// Grafana's boot data, read by @grafana/runtime when it is first imported: this module must be
// imported before anything that imports @grafana/runtime (see main.tsx).
const params = new URLSearchParams(window.location.search);
const theme = params.get('theme') === 'light' ? 'light' : 'dark';

Object.assign(window, {
  __grafana_public_path__: '/grafana-public/',
  grafanaBootData: {
    settings: {
      appUrl: `${window.location.origin}/`,
      appSubUrl: '',
      buildInfo: { version: '13.2.3', edition: 'Open Source' },
      featureToggles: {},
      datasources: {},
      panels: {},
      apps: {},
      theme2: undefined,
    },
    user: { id: 1, login: 'admin', orgId: 1, orgRole: 'Admin', isSignedIn: true, theme, timezone: 'utc' },
    navTree: [],
    assets: { dark: '', light: '' },
  },
});

export const harnessTheme: 'light' | 'dark' = theme;
