// The query editor (panels, Explore, annotations): changes (filters, text and an optional event
// cap) or delivery performance (services, environment, format, interval, figures).
import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { ChangesDataSource } from '../datasource';
import type { ChangesOptions } from '../types/config';
import type { ChangeFilters, ChangesQuery, QueryType } from '../types/query';
import { DeliveryQueryFields } from './DeliveryQueryFields';
import { FilterFields } from './FilterFields';

const QUERY_TYPE_OPTIONS: Array<{ label: string; value: QueryType; description: string }> = [
  { label: 'Changes', value: 'changes', description: 'The changes themselves: a table, the timeline, annotations' },
  {
    label: 'Delivery performance',
    value: 'delivery',
    description:
      'The four DORA keys per day or week: deployment frequency, lead time, change failure rate, time to restore',
  },
];

export type QueryEditorProps_ = QueryEditorProps<ChangesDataSource, ChangesQuery, ChangesOptions>;

export function QueryEditor({ datasource, query, range, onChange, onRunQuery }: QueryEditorProps_) {
  const change = (next: ChangesQuery) => {
    onChange(next);
    onRunQuery();
  };

  const queryType = query.queryType ?? 'changes';
  const typeRow = (
    <InlineFieldRow>
      <InlineField label="Query" labelWidth={14}>
        <div data-testid={TEST_IDS.queryEditor.queryType}>
          <RadioButtonGroup<QueryType>
            options={QUERY_TYPE_OPTIONS}
            value={queryType}
            onChange={(next) => change({ ...query, queryType: next })}
          />
        </div>
      </InlineField>
    </InlineFieldRow>
  );
  if (queryType === 'delivery') {
    return (
      <div>
        {typeRow}
        <DeliveryQueryFields datasource={datasource} query={query} range={range} onChange={change} />
      </div>
    );
  }

  return (
    <div>
      {typeRow}
      <FilterFields
        datasource={datasource}
        filters={query}
        range={range}
        onChange={(filters: ChangeFilters) => change({ ...query, ...filters })}
      />
      <InlineFieldRow>
        <InlineField
          label="Max events"
          labelWidth={14}
          tooltip={`Overrides the datasource's cap (${datasource.maxEvents}) for this query.`}
        >
          <Input
            data-testid={TEST_IDS.queryEditor.maxEvents}
            type="number"
            min={1}
            width={14}
            placeholder={String(datasource.maxEvents)}
            defaultValue={query.maxEvents ?? ''}
            onBlur={(e) => {
              const n = e.currentTarget.valueAsNumber;
              const maxEvents = Number.isFinite(n) && n > 0 ? n : undefined;
              if (maxEvents !== query.maxEvents) {
                change({ ...query, maxEvents });
              }
            }}
          />
        </InlineField>
      </InlineFieldRow>
    </div>
  );
}
