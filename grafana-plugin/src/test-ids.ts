// Every data-testid of the plugin, shared by the components and their tests (unit and browser).
export const TEST_IDS = {
  configEditor: {
    url: 'data-testid painchain-config-url',
    apiToken: 'data-testid painchain-config-api-token',
    maxEvents: 'data-testid painchain-config-max-events',
  },
  queryEditor: {
    filter: (field: string) => `data-testid painchain-filter-${field}`,
    text: 'data-testid painchain-filter-text',
    maxEvents: 'data-testid painchain-query-max-events',
  },
  variableEditor: {
    field: 'data-testid painchain-variable-field',
  },
  timeline: {
    panel: 'data-testid painchain-timeline',
    empty: 'data-testid painchain-timeline-empty',
    lane: 'data-testid painchain-timeline-lane',
    laneLabel: 'data-testid painchain-timeline-lane-label',
    marker: 'data-testid painchain-timeline-marker',
    cluster: 'data-testid painchain-timeline-cluster',
    interval: 'data-testid painchain-timeline-interval',
    tooltip: 'data-testid painchain-timeline-tooltip',
    selection: 'data-testid painchain-timeline-selection',
    track: 'data-testid painchain-timeline-track',
    legend: 'data-testid painchain-timeline-legend',
    notice: 'data-testid painchain-timeline-notice',
  },
  drawer: {
    body: 'data-testid painchain-drawer',
    clusterList: 'data-testid painchain-drawer-cluster-list',
    details: 'data-testid painchain-drawer-details',
    chain: 'data-testid painchain-drawer-chain',
    sourceLink: 'data-testid painchain-drawer-source-link',
  },
  app: {
    overview: 'data-testid painchain-app-overview',
  },
} as const;
