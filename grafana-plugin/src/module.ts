// Wires the PainChain app; the datasource and the panel are nested plugins with their own modules.
import { AppPlugin } from '@grafana/data';
import { OverviewPage } from './app/OverviewPage';

export const plugin = new AppPlugin<Record<string, never>>().setRootPage(OverviewPage);
