// The health check's message: what a person setting up the datasource needs to read.
import type { TestDataSourceResponse } from '@grafana/data';
import type { ConnectorStatusAnswer, ReadyAnswer } from './types/api';

const TROUBLED = new Set(['backoff', 'unresponsive', 'stopped']);

function describeConnector(c: ConnectorStatusAnswer): string {
  const error = c.lastError ? ` (last error: ${c.lastError.message})` : '';
  const lag = c.health?.lagSeconds != null ? `, ${c.health.lagSeconds}s behind` : '';
  return `${c.name} (${c.type}) ${c.state}${lag}${error}`;
}

export function describeHealth(ready: ReadyAnswer, connectors: ConnectorStatusAnswer[]): TestDataSourceResponse {
  const collector = `PainChain collector ${ready.version}: store ${ready.store}, migrations ${ready.migrations}.`;
  const connectorLine = connectors.length
    ? `Connectors: ${connectors.map(describeConnector).join('; ')}.`
    : 'Connectors: none reporting yet (events POSTed to /api/v1/events still appear).';
  if (ready.status !== 'ready') {
    return { status: 'error', message: `${collector} Not ready. ${connectorLine}` };
  }
  const troubled = connectors.filter((c) => TROUBLED.has(c.state));
  return {
    status: 'success',
    message: `${collector} ${connectorLine}`,
    details: troubled.length
      ? { message: `${troubled.length} connector(s) need attention: ${troubled.map((c) => c.name).join(', ')}.` }
      : undefined,
  };
}
