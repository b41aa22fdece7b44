// The filters shared by the query editor and the variable editor: one multi-value combobox per field,
// then free text.
import React, { useState } from 'react';
import type { TimeRange } from '@grafana/data';
import { InlineField, InlineFieldRow, Input } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { ChangesDataSource } from '../datasource';
import { FILTER_FIELDS, FILTER_LABELS, type ChangeFilters, type FilterField } from '../types/query';
import { FacetMultiCombobox } from './FacetMultiCombobox';

interface Props {
  datasource: ChangesDataSource;
  filters: ChangeFilters;
  range?: TimeRange;
  /** Fields not to offer (the variable editor hides the one it lists). */
  omit?: FilterField[];
  onChange: (filters: ChangeFilters) => void;
}

const LABEL_WIDTH = 14;

export function FilterFields({ datasource, filters, range, omit = [], onChange }: Props) {
  // The text is applied on Enter or blur; a query changed elsewhere (Explore history) resets it.
  const [text, setText] = useState(filters.q ?? '');
  const [appliedQ, setAppliedQ] = useState(filters.q);
  if (appliedQ !== filters.q) {
    setAppliedQ(filters.q);
    setText(filters.q ?? '');
  }

  return (
    <>
      <InlineFieldRow>
        {FILTER_FIELDS.filter((f) => !omit.includes(f)).map((field) => (
          <InlineField key={field} label={FILTER_LABELS[field]} labelWidth={LABEL_WIDTH} htmlFor={`painchain-${field}`}>
            <FacetMultiCombobox
              datasource={datasource}
              field={field}
              inputId={`painchain-${field}`}
              testId={TEST_IDS.queryEditor.filter(field)}
              value={filters[field] ?? []}
              filters={filters}
              range={range}
              onChange={(values) => onChange({ ...filters, [field]: values.length ? values : undefined })}
            />
          </InlineField>
        ))}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Text"
          labelWidth={LABEL_WIDTH}
          grow
          tooltip="Case-insensitive text in the title, description, project, service or author. Variables work."
        >
          <Input
            data-testid={TEST_IDS.queryEditor.text}
            value={text}
            placeholder="hotfix, $service, …"
            onChange={(e) => setText(e.currentTarget.value)}
            onBlur={() => text !== (filters.q ?? '') && onChange({ ...filters, q: text || undefined })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                onChange({ ...filters, q: text || undefined });
              }
            }}
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}
