// A multi-select whose options are the field's values from the facets route (with counts),
// plus the dashboard's variables; loaded when the menu opens, so editors stay quick.
import React, { useState } from 'react';
import type { SelectableValue, TimeRange } from '@grafana/data';
import { MultiSelect } from '@grafana/ui';
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

const toOption = (value: string): SelectableValue<string> => ({ label: value, value });

export function FacetMultiSelect({ datasource, field, inputId, testId, value, filters, range, onChange }: Props) {
  const [options, setOptions] = useState<Array<SelectableValue<string>>>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const load = async () => {
    setLoading(true);
    setError(undefined);
    try {
      const others: ChangeFilters = { ...filters, [field === 'author' ? 'q' : field]: undefined };
      const values = await datasource.facetValues(field, others, range);
      setOptions([
        ...values.map((v) => ({ label: v.value, value: v.value, description: `${v.count} changes` })),
        ...datasource.variableNames().map((name) => ({ label: name, value: name, description: 'variable' })),
      ]);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };

  return (
    <div data-testid={testId}>
      <MultiSelect<string>
        inputId={inputId}
        aria-label={field}
        options={options}
        value={value.map(toOption)}
        isLoading={loading}
        noOptionsMessage={error ?? 'No values in this time range'}
        allowCustomValue
        isClearable
        width={24}
        placeholder="any"
        onOpenMenu={() => void load()}
        onChange={(selected: Array<SelectableValue<string>>) =>
          onChange(selected.map((s) => s.value).filter((v): v is string => typeof v === 'string'))
        }
      />
    </div>
  );
}
