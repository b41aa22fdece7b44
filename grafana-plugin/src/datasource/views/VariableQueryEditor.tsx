// The variable editor: which field's values to list, narrowed by the same filters as a query.
import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, type ComboboxOption } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { ChangesDataSource } from '../datasource';
import type { ChangesOptions } from '../types/config';
import {
  DEFAULT_VARIABLE_QUERY,
  FACET_FIELDS,
  FILTER_LABELS,
  type ChangesQuery,
  type ChangesVariableQuery,
  type FacetField,
  type FilterField,
} from '../types/query';
import { FilterFields } from './FilterFields';

type Props = QueryEditorProps<ChangesDataSource, ChangesQuery, ChangesOptions, ChangesVariableQuery>;

const FIELD_OPTIONS: Array<ComboboxOption<FacetField>> = FACET_FIELDS.map((f) => ({
  value: f,
  label: f === 'author' ? 'Author' : FILTER_LABELS[f],
}));

export function VariableQueryEditor({ datasource, query, range, onChange }: Props) {
  const current: ChangesVariableQuery = { ...DEFAULT_VARIABLE_QUERY, ...query };
  const omit: FilterField[] = current.field === 'author' ? [] : [current.field];
  return (
    <div>
      <InlineFieldRow>
        <InlineField label="Values of" labelWidth={14} htmlFor="painchain-variable-field">
          <div data-testid={TEST_IDS.variableEditor.field}>
            <Combobox<FacetField>
              id="painchain-variable-field"
              options={FIELD_OPTIONS}
              value={current.field}
              width={24}
              onChange={(v: ComboboxOption<FacetField>) => onChange({ ...current, field: v.value })}
            />
          </div>
        </InlineField>
      </InlineFieldRow>
      <FilterFields
        datasource={datasource}
        filters={current}
        range={range}
        omit={omit}
        onChange={(filters) => onChange({ ...current, ...filters })}
      />
    </div>
  );
}
