// The one list of connector types the collector can run in-process. Adding a connector means
// adding its definition here and nothing else outside its own folder.
import { githubConnector } from '@painchain/connector-github';
import { gitlabConnector } from '@painchain/connector-gitlab';
import { kubernetesConnector } from '@painchain/connector-kubernetes';
import type { ConnectorDefinition } from '@painchain/sdk';

export const CONNECTOR_TYPES: readonly ConnectorDefinition[] = [
  githubConnector,
  gitlabConnector,
  kubernetesConnector,
];
