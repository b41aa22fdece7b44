// What a failed request to the collector shows: what could not be done, the collector's words
// (with its hint: token, URL), what to do next, and a retry.
import React from 'react';
import { Alert, Button, Text } from '@grafana/ui';

interface Props {
  title: string;
  error: Error;
  onRetry: () => void;
  /** What to do when a retry will not help. */
  advice?: string;
}

export function LoadFailed({ title, error, onRetry, advice }: Props) {
  return (
    <Alert severity="error" title={title}>
      <Text element="p">{error.message}</Text>
      {advice && <Text element="p">{advice}</Text>}
      <Button variant="secondary" size="sm" icon="sync" onClick={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}
