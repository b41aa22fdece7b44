// Wires the timeline panel for Grafana; options, layout and components live in their own files.
import { PanelPlugin } from '@grafana/data';
import { TimelinePanel } from './components/TimelinePanel';
import { buildOptions } from './options';
import type { TimelineOptions } from './types';

export const plugin = new PanelPlugin<TimelineOptions>(TimelinePanel).setPanelOptions(buildOptions);
