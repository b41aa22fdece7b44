// The question the Investigate page asks: a service, environment or project (values offered
// from the collector's facets), a time and how far to look back. Submitting changes the URL.
import React, { useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, dateTimeParse, type GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Button, Combobox, Field, Input, useStyles2, type ComboboxOption } from '@grafana/ui';
import type { CollectorApi } from '../datasource/api/collector-api';
import type { FacetField } from '../datasource/types/query';
import type { InvestigateParams } from '../shared/investigate-url';
import { TEST_IDS } from '../test-ids';

export interface Scope {
  service?: string;
  environment?: string;
  project?: string;
  at?: number;
  lookback?: string;
}

const LOOKBACKS: Array<ComboboxOption<string>> = [
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '2h', label: '2 hours' },
  { value: '6h', label: '6 hours' },
  { value: '1d', label: '1 day' },
  { value: '3d', label: '3 days' },
  { value: '7d', label: '7 days' },
];
const TIME_FORMAT = 'YYYY-MM-DD HH:mm:ss';

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: theme.spacing(0, 2) }),
});

interface Props {
  api: CollectorApi;
  initial: Scope;
  timeZone: TimeZone;
  onSubmit: (params: InvestigateParams) => void;
}

function FacetCombobox({
  api,
  field,
  label,
  value,
  onChange,
}: {
  api: CollectorApi;
  field: FacetField;
  label: string;
  value?: string;
  onChange: (v?: string) => void;
}) {
  return (
    <Field label={label}>
      <Combobox<string>
        id={`painchain-investigate-${field}`}
        aria-label={label}
        width={24}
        isClearable
        createCustomValue
        placeholder="any"
        value={value ?? null}
        options={async (input: string) => {
          const values = await api.facet(field, {});
          return values
            .filter((v) => v.value.toLowerCase().includes(input.toLowerCase()))
            .map((v) => ({
              value: v.value,
              label: v.value,
              description: `${v.count} change${v.count === 1 ? '' : 's'}`,
            }));
        }}
        onChange={(option: ComboboxOption<string> | null) => onChange(option?.value || undefined)}
      />
    </Field>
  );
}

export function ScopeForm({ api, initial, timeZone, onSubmit }: Props) {
  const styles = useStyles2(getStyles);
  const [scope, setScope] = useState<Scope>(initial);
  const [atText, setAtText] = useState(
    initial.at !== undefined ? dateTimeFormat(initial.at, { timeZone, format: TIME_FORMAT }) : ''
  );
  const parsedAt =
    atText.trim() === '' || atText.trim() === 'now'
      ? undefined
      : dateTimeParse(atText.trim(), { timeZone, format: TIME_FORMAT });
  const atInvalid = parsedAt !== undefined && !parsedAt.isValid();

  return (
    <form
      className={styles.form}
      data-testid={TEST_IDS.app.form}
      aria-label="What to investigate"
      onSubmit={(e) => {
        e.preventDefault();
        if (!atInvalid) {
          onSubmit({ ...scope, at: parsedAt?.valueOf() });
        }
      }}
    >
      <FacetCombobox
        api={api}
        field="service"
        label="Service"
        value={scope.service}
        onChange={(service) => setScope({ ...scope, service })}
      />
      <FacetCombobox
        api={api}
        field="environment"
        label="Environment"
        value={scope.environment}
        onChange={(environment) => setScope({ ...scope, environment })}
      />
      <FacetCombobox
        api={api}
        field="project"
        label="Project"
        value={scope.project}
        onChange={(project) => setScope({ ...scope, project })}
      />
      <Field
        label="At"
        invalid={atInvalid}
        error={atInvalid ? `A time as ${TIME_FORMAT}, or empty for now` : undefined}
      >
        <Input
          id="painchain-investigate-at"
          width={24}
          placeholder="now"
          value={atText}
          onChange={(e) => setAtText(e.currentTarget.value)}
        />
      </Field>
      <Field label="Look back">
        <Combobox<string>
          id="painchain-investigate-lookback"
          aria-label="Look back"
          width={16}
          createCustomValue
          options={LOOKBACKS}
          value={scope.lookback ?? '2h'}
          onChange={(option: ComboboxOption<string>) => setScope({ ...scope, lookback: option.value })}
        />
      </Field>
      <Field label=" ">
        <Button type="submit" icon="search">
          Investigate
        </Button>
      </Field>
    </form>
  );
}
