// A multi-value combobox whose options are the field's values from the facets route (with
// counts), plus the dashboard's variables; asked for when the menu opens, so editors stay quick.
import React from 'react';
import type { TimeRange } from '@grafana/data';
import { MultiCombobox, type ComboboxOption } from '@grafana/ui';
import type { ChangesDataSource } from '../datasource';
import type { ChangeFilters, FacetField } from '../types/query';

interface Props {
  datasource: ChangesDataSource;
  field: FacetField;
  inputId: string;
  testId: string;
  value: string[];
  /** The other filters narrow the offered values. */
  filters: ChangeFilters;
  range?: TimeRange;
  onChange: (values: string[]) => void;
}

export function FacetMultiCombobox({ datasource, field, inputId, testId, value, filters, range, onChange }: Props) {
  const options = async (input: string): Promise<Array<ComboboxOption<string>>> => {
    const others: ChangeFilters = { ...filters, [field === 'author' ? 'q' : field]: undefined };
    const values = await datasource.facetValues(field, others, range);
    const needle = input.toLowerCase();
    return [
      ...values.map((v) => ({
        label: v.value,
        value: v.value,
        description: `${v.count} change${v.count === 1 ? '' : 's'}`,
      })),
      ...datasource.variableNames().map((name) => ({ label: name, value: name, description: 'variable' })),
    ].filter((o) => o.value.toLowerCase().includes(needle));
  };

  return (
    <div data-testid={testId}>
      <MultiCombobox<string>
        id={inputId}
        options={options}
        value={value}
        createCustomValue
        isClearable
        width="auto"
        minWidth={16}
        maxWidth={40}
        placeholder="any"
        onChange={(selected: Array<ComboboxOption<string>>) => onChange(selected.map((s) => s.value))}
      />
    </div>
  );
}
