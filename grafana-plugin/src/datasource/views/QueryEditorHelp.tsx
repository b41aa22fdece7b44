// The query editor's help (the "?" in Explore and panel editors): what the filters do, and
// example queries that fill the editor when clicked.
import React from 'react';
import type { QueryEditorHelpProps } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';
import { TEST_IDS } from '../../test-ids';
import type { ChangesQuery } from '../types/query';

export const HELP_EXAMPLES: Array<{ title: string; query: Omit<ChangesQuery, 'refId'> }> = [
  {
    title: 'Deploys and rollbacks in production',
    query: { kind: ['deploy', 'rollback'], environment: ['production'] },
  },
  { title: 'Failed pipelines', query: { kind: ['pipeline'], status: ['failed'] } },
  { title: "The dashboard's service, every kind of change", query: { service: ['$service'] } },
  {
    title: 'Alerts Grafana recorded, with what changed around them',
    query: { kind: ['alert', 'deploy', 'config', 'feature_flag'] },
  },
  { title: 'Text in titles, descriptions and authors', query: { q: 'hotfix' } },
];

export function QueryEditorHelp({ query, onClickExample }: QueryEditorHelpProps<ChangesQuery>) {
  return (
    <div data-testid={TEST_IDS.queryEditor.help}>
      <Text element="h4">PainChain changes</Text>
      <Text element="p">
        Each filter takes one or more values (any of them matches); filters add up (all must match). Values come from
        the changes recorded in the time range; variables such as <code>$service</code> expand, and a variable whose
        value is <code>*</code> (set it as the variable&apos;s “All” value) drops that filter. Text searches titles,
        descriptions, projects, services and authors.
      </Text>
      <Text element="p">
        In Explore and tables every change links to its source (<strong>Open in source</strong>) and to the
        <strong> Investigate</strong> page, which ranks the changes that may explain that moment and draws their chains.
      </Text>
      <Text element="h5">Examples</Text>
      <Stack direction="column" gap={0.5} alignItems="flex-start">
        {HELP_EXAMPLES.map((example) => (
          <Button
            key={example.title}
            variant="secondary"
            fill="text"
            size="sm"
            onClick={() => onClickExample({ refId: query.refId, ...example.query })}
          >
            {example.title}
          </Button>
        ))}
      </Stack>
    </div>
  );
}
