// Fixtures for the Playwright specs against a real Grafana (npm run e2e, GRAFANA_URL), with the
// collector reachable from Grafana at PAINCHAIN_COLLECTOR_URL.
import { test as base } from '@grafana/plugin-e2e';

export const COLLECTOR_URL = process.env.PAINCHAIN_COLLECTOR_URL ?? 'http://collector:8000';
export const API_TOKEN = process.env.PAINCHAIN_READ_TOKEN ?? '';

export const test = base;
export { expect } from '@grafana/plugin-e2e';
