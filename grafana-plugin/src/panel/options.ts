// The timeline panel's options: defaults and the editor.
import type { PanelOptionsEditorBuilder } from '@grafana/data';
import type { TimelineOptions } from './types';

export const DEFAULT_OPTIONS: TimelineOptions = {
  laneBy: 'service',
  clusterDistance: 14,
  showLegend: true,
};

export function buildOptions(
  builder: PanelOptionsEditorBuilder<TimelineOptions>
): PanelOptionsEditorBuilder<TimelineOptions> {
  return builder
    .addRadio({
      path: 'laneBy',
      name: 'Lanes',
      description: 'One lane per project or per service (changes without a service go to their project).',
      defaultValue: DEFAULT_OPTIONS.laneBy,
      settings: {
        options: [
          { value: 'service', label: 'Service' },
          { value: 'project', label: 'Project' },
        ],
      },
    })
    .addSliderInput({
      path: 'clusterDistance',
      name: 'Cluster distance',
      description: 'Markers closer than this many pixels are drawn as one cluster with a count.',
      defaultValue: DEFAULT_OPTIONS.clusterDistance,
      settings: { min: 4, max: 60, step: 1 },
    })
    .addBooleanSwitch({
      path: 'showLegend',
      name: 'Legend',
      description: 'Kinds present and what the marker styles mean.',
      defaultValue: DEFAULT_OPTIONS.showLegend,
    });
}
