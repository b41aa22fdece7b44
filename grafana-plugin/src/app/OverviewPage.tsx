// The app's one page: what PainChain adds to Grafana and how to start using it.
import React from 'react';
import type { AppRootProps } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Stack, Text, TextLink } from '@grafana/ui';
import { TEST_IDS } from '../test-ids';

export function OverviewPage(_props: AppRootProps) {
  return (
    <PluginPage>
      <div data-testid={TEST_IDS.app.overview}>
        <Stack direction="column" gap={2}>
          <Text element="p">
            PainChain puts every change to your platform (deploys, merges, pipelines, rollouts, config edits) on one
            timeline, next to the graphs you already watch.
          </Text>
          <Text element="h3">Get started</Text>
          <Text element="p">
            1. Add a <strong>PainChain changes</strong> data source with your collector&apos;s URL and a read token.
          </Text>
          <Text element="p">
            2. On any dashboard, add an annotation query with that data source to overlay changes on every graph.
          </Text>
          <Text element="p">
            3. Add a <strong>PainChain timeline</strong> panel to see changes by service or project; click one for its
            details.
          </Text>
          <TextLink href="/connections/datasources/new" inline={false}>
            Add a data source
          </TextLink>
        </Stack>
      </div>
    </PluginPage>
  );
}
