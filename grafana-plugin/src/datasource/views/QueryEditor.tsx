// The query editor (panels, Explore, annotations): filters, text and an optional event cap.
import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Input } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { ChangesDataSource } from '../datasource';
import type { ChangesOptions } from '../types/config';
import type { ChangeFilters, ChangesQuery } from '../types/query';
import { FilterFields } from './FilterFields';

export type QueryEditorProps_ = QueryEditorProps<ChangesDataSource, ChangesQuery, ChangesOptions>;

export function QueryEditor({ datasource, query, range, onChange, onRunQuery }: QueryEditorProps_) {
  const change = (next: ChangesQuery) => {
    onChange(next);
    onRunQuery();
  };

  return (
    <div>
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
