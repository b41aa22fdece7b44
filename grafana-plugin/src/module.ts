// Wires the PainChain app: its pages (overview, Investigate) and the links it adds to Grafana's
// alerting, dashboards and Explore. The datasource and the panel are nested plugins.
import { AppPlugin } from '@grafana/data';
import { AppRoot } from './app/AppRoot';
import { alertInstanceLink, exploreLink, panelLink } from './extensions/extension-links';

export const plugin = new AppPlugin<Record<string, never>>()
  .setRootPage(AppRoot)
  .addLink(alertInstanceLink)
  .addLink(panelLink)
  .addLink(exploreLink);
