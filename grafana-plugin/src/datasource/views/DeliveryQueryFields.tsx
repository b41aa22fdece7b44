// The query editor's fields for delivery performance: which services and environment, per day or
// week, as time series, one row for the range, or the deploys behind the numbers; which figures.
import React from 'react';
import type { TimeRange } from '@grafana/data';
import { InlineField, InlineFieldRow, MultiCombobox, RadioButtonGroup, type ComboboxOption } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { ChangesDataSource } from '../datasource';
import { FIGURE_DEFINITIONS } from '../delivery-frames';
import {
  DEFAULT_DELIVERY_FIGURES,
  DELIVERY_FIGURES,
  FILTER_LABELS,
  type ChangesQuery,
  type DeliveryFigure,
  type DeliveryOptions,
} from '../types/query';
import { FacetMultiCombobox } from './FacetMultiCombobox';

interface Props {
  datasource: ChangesDataSource;
  query: ChangesQuery;
  range?: TimeRange;
  onChange: (query: ChangesQuery) => void;
}

const LABEL_WIDTH = 14;

const INTERVALS: Array<{ label: string; value: NonNullable<DeliveryOptions['interval']> }> = [
  { label: 'Auto', value: 'auto' },
  { label: 'Day', value: 'day' },
  { label: 'Week', value: 'week' },
];
const FORMATS: Array<{ label: string; value: NonNullable<DeliveryOptions['format']>; description: string }> = [
  { label: 'Time series', value: 'timeseries', description: 'A point per day or week' },
  { label: 'Summary', value: 'summary', description: 'One row for the whole time range' },
  { label: 'Deploys behind the numbers', value: 'changes', description: 'Each deploy and failure, with its reasons' },
];
const GROUPS: Array<{ label: string; value: NonNullable<DeliveryOptions['groupBy']> }> = [
  { label: 'All together', value: 'total' },
  { label: 'Per service', value: 'service' },
];
const FIGURE_OPTIONS: Array<ComboboxOption<DeliveryFigure>> = DELIVERY_FIGURES.map((f) => ({
  label: FIGURE_DEFINITIONS[f].name,
  value: f,
  description: FIGURE_DEFINITIONS[f].description,
}));

export function DeliveryQueryFields({ datasource, query, range, onChange }: Props) {
  const options = query.delivery ?? {};
  const set = (next: Partial<DeliveryOptions>) => onChange({ ...query, delivery: { ...options, ...next } });
  return (
    <>
      <InlineFieldRow>
        {(['service', 'environment'] as const).map((field) => (
          <InlineField
            key={field}
            label={FILTER_LABELS[field]}
            labelWidth={LABEL_WIDTH}
            htmlFor={`painchain-delivery-${field}`}
            tooltip={
              field === 'environment'
                ? 'Where deploys count; none: the collector’s delivery environment (production unless configured)'
                : 'None: every service with a deploy or an alert in the time range'
            }
          >
            <FacetMultiCombobox
              datasource={datasource}
              field={field}
              inputId={`painchain-delivery-${field}`}
              testId={TEST_IDS.queryEditor.filter(field)}
              value={query[field] ?? []}
              filters={{ ...query, kind: ['deploy'] }}
              range={range}
              onChange={(values) => onChange({ ...query, [field]: values.length ? values : undefined })}
            />
          </InlineField>
        ))}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Format" labelWidth={LABEL_WIDTH}>
          <div data-testid={TEST_IDS.queryEditor.deliveryFormat}>
            <RadioButtonGroup
              options={FORMATS}
              value={options.format ?? 'timeseries'}
              onChange={(format) => set({ format })}
            />
          </div>
        </InlineField>
        <InlineField label="Interval" tooltip="Auto: days up to two months, weeks beyond">
          <RadioButtonGroup
            options={INTERVALS}
            value={options.interval ?? 'auto'}
            onChange={(interval) => set({ interval })}
          />
        </InlineField>
        <InlineField label="Services">
          <RadioButtonGroup
            options={GROUPS}
            value={options.groupBy ?? 'total'}
            onChange={(groupBy) => set({ groupBy })}
          />
        </InlineField>
      </InlineFieldRow>
      {options.format !== 'changes' && (
        <InlineFieldRow>
          <InlineField label="Figures" labelWidth={LABEL_WIDTH} htmlFor="painchain-delivery-figures" grow>
            <div data-testid={TEST_IDS.queryEditor.deliveryFigures}>
              <MultiCombobox<DeliveryFigure>
                id="painchain-delivery-figures"
                options={FIGURE_OPTIONS}
                value={options.figures ?? DEFAULT_DELIVERY_FIGURES}
                width="auto"
                minWidth={30}
                onChange={(selected: Array<ComboboxOption<DeliveryFigure>>) =>
                  set({ figures: selected.map((s) => s.value) })
                }
              />
            </div>
          </InlineField>
        </InlineFieldRow>
      )}
    </>
  );
}
