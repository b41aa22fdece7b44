// Datasource settings: the collector URL (Grafana's data proxy forwards to it), the API token
// (kept in secureJsonData, added by the proxy route, never sent to browsers) and the event cap.
import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import { DEFAULT_MAX_EVENTS, MAX_MAX_EVENTS, type ChangesOptions, type ChangesSecureJsonData } from '../types/config';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<ChangesOptions, ChangesSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData: ChangesSecureJsonData = options.secureJsonData ?? {};

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) =>
    // `access: proxy` is what makes Grafana's data proxy apply the plugin.json route.
    onOptionsChange({ ...options, url: event.target.value.trim(), access: 'proxy' });

  const onTokenChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiToken: event.target.value } });

  const onTokenReset = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, apiToken: false },
      secureJsonData: { ...secureJsonData, apiToken: '' },
    });

  const onMaxEventsChange = (event: ChangeEvent<HTMLInputElement>) => {
    const value = event.target.valueAsNumber;
    onOptionsChange({
      ...options,
      jsonData: { ...jsonData, maxEvents: Number.isFinite(value) ? value : undefined },
    });
  };

  return (
    <FieldSet label="PainChain collector">
      <Field
        label="Collector URL"
        description="Where Grafana's server reaches the collector, for example http://painchain:8000. Requests go through Grafana, never from the browser."
        required
      >
        <Input
          id="painchain-url"
          data-testid={TEST_IDS.configEditor.url}
          value={options.url}
          placeholder="http://localhost:8000"
          width={48}
          onChange={onUrlChange}
        />
      </Field>
      <Field
        label="API token"
        description="A collector token with the read scope. Stored encrypted; Grafana adds it as a bearer token on every request."
      >
        <SecretInput
          id="painchain-api-token"
          data-testid={TEST_IDS.configEditor.apiToken}
          isConfigured={Boolean(secureJsonFields?.apiToken)}
          value={secureJsonData.apiToken ?? ''}
          placeholder="Leave empty when the collector has no tokens"
          width={48}
          onChange={onTokenChange}
          onReset={onTokenReset}
        />
      </Field>
      <Field
        label="Max events per query"
        description={`Pages of 1,000 are read up to this many; a query that hits it says so. At most ${MAX_MAX_EVENTS.toLocaleString('en-US')}.`}
      >
        <Input
          id="painchain-max-events"
          data-testid={TEST_IDS.configEditor.maxEvents}
          type="number"
          min={1}
          max={MAX_MAX_EVENTS}
          value={jsonData.maxEvents ?? ''}
          placeholder={String(DEFAULT_MAX_EVENTS)}
          width={16}
          onChange={onMaxEventsChange}
        />
      </Field>
    </FieldSet>
  );
}
